package org.triagerouter.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DateTimeAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.triagerouter.dicom.RouterVersion;
import org.triagerouter.dicom.Uids;

/**
 * Writes the study's triage result as a Comprehensive SR in the IHE AI Results style (TID 1500
 * Measurement Report): language, device observer and procedure context, procedure reported, an image
 * library of every source image, a measurement group with the algorithm (TID 4019) and the score, and
 * the qualitative evaluations (finding normal/abnormal, triage priority). The algorithm is also named in
 * the Contributing Equipment Sequence, as IHE AIR asks. Patient and study come from a source image; the
 * SR is a new series of the same study. UIDs are derived from (study, model, version, revision): sending
 * it again is a duplicate the PACS recognises. PixelMed's DicomSRValidator finds no error in it (docs/sr.md).
 */
public final class TriageReportWriter {
    public static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
    private static final String MANUFACTURER = "Triage Router";
    private static final int SERIES_NUMBER = 9901;

    private TriageReportWriter() {}

    /** What was written: the SR's identity and the Series Description worklists show. */
    public record WrittenReport(Path file, String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, String seriesDescription) {}

    /** As {@link #write(byte[], TriageResult, Path, LocalDateTime)}, copying from an image file of the study. */
    public static WrittenReport write(Path studySource, TriageResult result, Path out, LocalDateTime now) throws IOException {
        return write(org.triagerouter.dicom.file.StudyAttributes.read(studySource), result, out, now);
    }

    /**
     * @param studyAttributes the study's patient and study attributes as stored at receipt ({@link org.triagerouter.dicom.file.StudyAttributes})
     * @param now             the content date and time
     */
    public static WrittenReport write(byte[] studyAttributes, TriageResult result, Path out, LocalDateTime now) throws IOException {
        try {
            SourceStudy source = SourceStudy.of(studyAttributes, result);
            String study = source.studyInstanceUid();
            String series = Uids.fromName("triage-sr-series|" + source.identity());
            String sopInstance = Uids.fromName("triage-sr|" + source.identity() + "|" + result.revision());

            AttributeList sr = content(result, source.identity());
            source.copyPatientAndStudyInto(sr);
            String description = seriesDescription(result);
            put(sr, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), COMPREHENSIVE_SR);
            put(sr, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstance);
            put(sr, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), series);
            put(sr, new CodeStringAttribute(TagFromName.Modality), "SR");
            put(sr, new IntegerStringAttribute(TagFromName.SeriesNumber), String.valueOf(SERIES_NUMBER));
            put(sr, new LongStringAttribute(TagFromName.SeriesDescription), description);
            put(sr, new IntegerStringAttribute(TagFromName.InstanceNumber), String.valueOf(result.revision()));
            put(sr, new LongStringAttribute(TagFromName.Manufacturer), MANUFACTURER);
            put(sr, new LongStringAttribute(TagFromName.ManufacturerModelName), result.modelId());
            put(sr, new LongStringAttribute(TagFromName.SoftwareVersions), result.modelVersion());
            sr.put(contributingEquipment(result, now));
            String date = now.format(DateTimeFormatter.ofPattern("yyyyMMdd"));
            String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));
            put(sr, new DateAttribute(TagFromName.ContentDate), date);
            put(sr, new TimeAttribute(TagFromName.ContentTime), time);
            put(sr, new DateAttribute(TagFromName.InstanceCreationDate), date);
            put(sr, new TimeAttribute(TagFromName.InstanceCreationTime), time);
            put(sr, new CodeStringAttribute(TagFromName.CompletionFlag), "COMPLETE");
            put(sr, new CodeStringAttribute(TagFromName.VerificationFlag), "UNVERIFIED");
            sr.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));
            sr.put(new SequenceAttribute(TagFromName.PerformedProcedureCodeSequence));
            sr.put(evidence(TagFromName.CurrentRequestedProcedureEvidenceSequence, study, result.images()));
            if (result.predecessorSr() != null) {
                TriageResult.SrReference p = result.predecessorSr();
                sr.put(evidence(TagFromName.PredecessorDocumentsSequence, study,
                        List.of(new TriageResult.SourceImage(p.seriesInstanceUid(), COMPREHENSIVE_SR, p.sopInstanceUid()))));
            }
            if (Attribute.getSingleStringValueOrEmptyString(sr, TagFromName.SpecificCharacterSet).isEmpty()) {
                put(sr, new CodeStringAttribute(TagFromName.SpecificCharacterSet), "ISO_IR 192");
            }
            FileMetaInformation.addFileMetaInformation(sr, Uids.EXPLICIT_VR_LE, "TRIAGE");
            Files.createDirectories(out.getParent());
            sr.write(out.toFile(), Uids.EXPLICIT_VR_LE, true, true);
            return new WrittenReport(out, study, series, sopInstance, description);
        } catch (DicomException e) {
            throw new IOException("cannot build the triage SR: " + e.getMessage(), e);
        }
    }

    /** e.g. {@code AI triage: ABNORMAL 0.91 URGENT}; a demo model says so first. At most 64 characters (LO). */
    public static String seriesDescription(TriageResult result) {
        String text = String.format(Locale.ROOT, "AI triage%s: %s %.2f %s", result.demoModel() ? " (DEMO MODEL)" : "",
                result.category(), result.score(), result.priority());
        return text.length() > 64 ? text.substring(0, 64) : text;
    }

    private static AttributeList content(TriageResult r, String identity) throws DicomException {
        ContentItemFactory f = new ContentItemFactory();
        ContentItem root = f.makeContainerContentItem(null, null, TriageCodes.imagingMeasurementReport(), true, "DCMR", "1500");
        f.makeCodeContentItem(root, "HAS CONCEPT MOD", TriageCodes.language(), TriageCodes.englishUs());
        f.makeCodeContentItem(root, "HAS OBS CONTEXT", TriageCodes.observerType(), TriageCodes.device());
        f.makeUIDContentItem(root, "HAS OBS CONTEXT", TriageCodes.deviceObserverUid(), Uids.fromName("triage-device|" + r.modelId()));
        f.makeTextContentItem(root, "HAS OBS CONTEXT", TriageCodes.deviceObserverName(), "Triage Router " + r.modelId());
        f.makeTextContentItem(root, "HAS OBS CONTEXT", TriageCodes.deviceObserverManufacturer(), MANUFACTURER);
        f.makeTextContentItem(root, "HAS OBS CONTEXT", TriageCodes.deviceObserverModelName(), r.modelId());
        f.makeCodeContentItem(root, "HAS OBS CONTEXT", TriageCodes.procedureCode(), TriageCodes.plainChestXray());
        f.makeCodeContentItem(root, "HAS CONCEPT MOD", TriageCodes.procedureReported(), TriageCodes.imagingProcedure());

        ContentItem library = f.makeContainerContentItem(root, "CONTAINS", TriageCodes.imageLibrary(), true);
        ContentItem group = f.makeContainerContentItem(library, "CONTAINS", TriageCodes.imageLibraryGroup(), true);
        for (TriageResult.SourceImage image : r.images()) {
            f.makeImageContentItem(group, "CONTAINS", null, image.sopClassUid(), image.sopInstanceUid(), 0, 0, null, null, null, null);
        }

        ContentItem measurements = f.makeContainerContentItem(root, "CONTAINS", TriageCodes.imagingMeasurements(), true);
        ContentItem measurement = f.makeContainerContentItem(measurements, "CONTAINS", TriageCodes.measurementGroup(), true);
        f.makeTextContentItem(measurement, "HAS OBS CONTEXT", TriageCodes.trackingIdentifier(), "chest radiograph triage");
        f.makeUIDContentItem(measurement, "HAS OBS CONTEXT", TriageCodes.trackingUid(), Uids.fromName("triage-tracking|" + identity));
        f.makeTextContentItem(measurement, "HAS CONCEPT MOD", TriageCodes.algorithmName(), r.modelId() + (r.demoModel() ? " (demo model)" : ""));
        f.makeTextContentItem(measurement, "HAS CONCEPT MOD", TriageCodes.algorithmVersion(), r.modelVersion());
        f.makeTextContentItem(measurement, "HAS CONCEPT MOD", TriageCodes.algorithmParameters(),
                Double.isNaN(r.threshold()) ? "operating point " + r.operatingPoint()
                        : String.format(Locale.ROOT, "operating point %s, threshold %.3f", r.operatingPoint(), r.threshold()));
        f.makeNumericContentItem(measurement, "CONTAINS", TriageCodes.abnormalityScore(), String.format(Locale.ROOT, "%.4f", r.score()),
                TriageCodes.noUnits());

        // TID 1500 Qualitative Evaluations take any CODE or TEXT about the whole study; a measurement group (TID 1501) takes no TEXT.
        ContentItem qualitative = f.makeContainerContentItem(root, "CONTAINS", TriageCodes.qualitativeEvaluations(), true);
        f.makeCodeContentItem(qualitative, "CONTAINS", TriageCodes.finding(), r.abnormal() ? TriageCodes.abnormal() : TriageCodes.normal());
        f.makeTextContentItem(qualitative, "CONTAINS", TriageCodes.triagePriority(), r.priority());
        if (r.demoModel()) {
            f.makeTextContentItem(qualitative, "CONTAINS", TriageCodes.comment(),
                    "Produced by the Triage Router demo model: this result means nothing and must not be used clinically.");
        }
        // The factory links the tree; StructuredReport turns it into nested Content Sequences.
        return new com.pixelmed.dicom.StructuredReport(root).getAttributeList();
    }

    /** Contribution DateTime (0018,A002), which PixelMed's TagFromName lacks. */
    private static final AttributeTag CONTRIBUTION_DATE_TIME = new AttributeTag(0x0018, 0xA002);

    /**
     * IHE AI Results (AIR) Rev. 1.1, 6.5.3.1: the algorithm as Contributing Equipment, Purpose of Reference (Newcode1, 99IHE,
     * "Processing Algorithm"). Its Device UID is derived from model id and version, so it changes when the model does.
     */
    static SequenceAttribute contributingEquipment(TriageResult r, LocalDateTime now) throws DicomException {
        AttributeList item = new AttributeList();
        SequenceAttribute purpose = new SequenceAttribute(TagFromName.PurposeOfReferenceCodeSequence);
        purpose.addItem(TriageCodes.processingAlgorithm().getAttributeList());
        item.put(purpose);
        put(item, new LongStringAttribute(TagFromName.Manufacturer), MANUFACTURER);
        put(item, new LongStringAttribute(TagFromName.ManufacturerModelName), r.modelId());
        LongStringAttribute versions = new LongStringAttribute(TagFromName.SoftwareVersions);
        versions.addValue(r.modelVersion());
        versions.addValue("Triage Router " + RouterVersion.VERSION);
        item.put(versions);
        put(item, new UniqueIdentifierAttribute(TagFromName.DeviceUID), algorithmDeviceUid(r.modelId(), r.modelVersion()));
        put(item, new DateTimeAttribute(CONTRIBUTION_DATE_TIME), now.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")));
        SequenceAttribute sequence = new SequenceAttribute(TagFromName.ContributingEquipmentSequence);
        sequence.addItem(item);
        return sequence;
    }

    /** The Device UID of a model version: the same for every SR that version writes, another for the next version. */
    public static String algorithmDeviceUid(String modelId, String modelVersion) {
        return Uids.fromName("triage-algorithm|" + modelId + "|" + modelVersion);
    }

    /** Hierarchical SOP Instance Reference Macro: study, then series, then instances. */
    static SequenceAttribute evidence(AttributeTag tag, String study, List<TriageResult.SourceImage> images) throws DicomException {
        Map<String, List<TriageResult.SourceImage>> bySeries = new LinkedHashMap<>();
        for (TriageResult.SourceImage i : images) bySeries.computeIfAbsent(i.seriesInstanceUid(), k -> new ArrayList<>()).add(i);
        AttributeList studyItem = new AttributeList();
        put(studyItem, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
        SequenceAttribute seriesSequence = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
        for (Map.Entry<String, List<TriageResult.SourceImage>> e : bySeries.entrySet()) {
            AttributeList seriesItem = new AttributeList();
            put(seriesItem, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), e.getKey());
            SequenceAttribute sops = new SequenceAttribute(TagFromName.ReferencedSOPSequence);
            for (TriageResult.SourceImage i : e.getValue()) {
                AttributeList sop = new AttributeList();
                put(sop, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID), i.sopClassUid());
                put(sop, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID), i.sopInstanceUid());
                sops.addItem(sop);
            }
            seriesItem.put(sops);
            seriesSequence.addItem(seriesItem);
        }
        studyItem.put(seriesSequence);
        SequenceAttribute sequence = new SequenceAttribute(tag);
        sequence.addItem(studyItem);
        return sequence;
    }

    static void copy(AttributeList from, AttributeList to, AttributeTag... tags) {
        for (AttributeTag tag : tags) {
            Attribute a = from.get(tag);
            if (a != null) to.put(a);
        }
    }

    /** Type 2 attributes of the Patient and General Study modules: present, empty when the source lacks them. */
    static void emptyIfAbsent(AttributeList list, AttributeTag... tags) throws DicomException {
        for (AttributeTag tag : tags) {
            if (list.get(tag) == null) list.put(AttributeList.getDictionary().getValueRepresentationFromTag(tag) == null
                    ? new LongStringAttribute(tag) : com.pixelmed.dicom.AttributeFactory.newAttribute(tag,
                    AttributeList.getDictionary().getValueRepresentationFromTag(tag)));
        }
    }

    static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }
}
