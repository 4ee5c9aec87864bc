package org.triagerouter.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.triagerouter.dicom.Uids;

/**
 * A Key Object Selection document titled (113000, DCM, "Of Interest") that flags the images behind an
 * abnormal result, for viewers that show key objects. UIDs derived like the SR's, so a resend is a duplicate.
 */
public final class KeyObjectWriter {
    public static final String KEY_OBJECT_SELECTION = "1.2.840.10008.5.1.4.1.1.88.59";
    private static final int SERIES_NUMBER = 9902;

    private KeyObjectWriter() {}

    public static TriageReportWriter.WrittenReport write(Path studySource, TriageResult result, List<TriageResult.SourceImage> keyImages,
                                                         Path out, LocalDateTime now) throws IOException {
        return write(org.triagerouter.dicom.file.StudyAttributes.read(studySource), result, keyImages, out, now);
    }

    public static TriageReportWriter.WrittenReport write(byte[] studyAttributes, TriageResult result, List<TriageResult.SourceImage> keyImages,
                                                         Path out, LocalDateTime now) throws IOException {
        try {
            SourceStudy source = SourceStudy.of(studyAttributes, result);
            String study = source.studyInstanceUid();
            String series = Uids.fromName("triage-kos-series|" + source.identity());
            String sopInstance = Uids.fromName("triage-kos|" + source.identity() + "|" + result.revision());

            ContentItemFactory f = new ContentItemFactory();
            ContentItem root = f.makeContainerContentItem(null, null, TriageCodes.ofInterest(), true, "DCMR", "2010");
            f.makeTextContentItem(root, "CONTAINS", TriageCodes.keyObjectDescription(),
                    TriageReportWriter.seriesDescription(result) + ": the images behind the result");
            for (TriageResult.SourceImage image : keyImages) {
                f.makeImageContentItem(root, "CONTAINS", null, image.sopClassUid(), image.sopInstanceUid(), 0, 0, null, null, null, null);
            }
            AttributeList kos = new StructuredReport(root).getAttributeList();
            source.copyPatientAndStudyInto(kos);
            TriageReportWriter.put(kos, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), KEY_OBJECT_SELECTION);
            TriageReportWriter.put(kos, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstance);
            TriageReportWriter.put(kos, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), series);
            TriageReportWriter.put(kos, new CodeStringAttribute(TagFromName.Modality), "KO");
            TriageReportWriter.put(kos, new IntegerStringAttribute(TagFromName.SeriesNumber), String.valueOf(SERIES_NUMBER));
            String description = "AI triage key images" + (result.demoModel() ? " (DEMO MODEL)" : "");
            TriageReportWriter.put(kos, new LongStringAttribute(TagFromName.SeriesDescription), description);
            TriageReportWriter.put(kos, new IntegerStringAttribute(TagFromName.InstanceNumber), String.valueOf(result.revision()));
            TriageReportWriter.put(kos, new LongStringAttribute(TagFromName.Manufacturer), "Triage Router");
            TriageReportWriter.put(kos, new DateAttribute(TagFromName.ContentDate), now.format(DateTimeFormatter.ofPattern("yyyyMMdd")));
            TriageReportWriter.put(kos, new TimeAttribute(TagFromName.ContentTime), now.format(DateTimeFormatter.ofPattern("HHmmss")));
            kos.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));
            kos.put(TriageReportWriter.evidence(TagFromName.CurrentRequestedProcedureEvidenceSequence, study, keyImages));
            if (Attribute.getSingleStringValueOrEmptyString(kos, TagFromName.SpecificCharacterSet).isEmpty()) {
                TriageReportWriter.put(kos, new CodeStringAttribute(TagFromName.SpecificCharacterSet), "ISO_IR 192");
            }
            FileMetaInformation.addFileMetaInformation(kos, Uids.EXPLICIT_VR_LE, "TRIAGE");
            Files.createDirectories(out.getParent());
            kos.write(out.toFile(), Uids.EXPLICIT_VR_LE, true, true);
            return new TriageReportWriter.WrittenReport(out, study, series, sopInstance, description);
        } catch (DicomException e) {
            throw new IOException("cannot build the key object selection: " + e.getMessage(), e);
        }
    }
}
