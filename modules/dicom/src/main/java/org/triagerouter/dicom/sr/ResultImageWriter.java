package org.triagerouter.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.triagerouter.dicom.RouterVersion;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.pixels.Gray8Image;

/**
 * The study's triage result as a Secondary Capture image, for viewers that do not display SRs: the deciding image, downscaled,
 * beside the category, score, priority, model, version and revision in large text, and NOT FOR DIAGNOSTIC USE for a demo model
 * or one not for clinical use. A new series (9903) of the same study, its Series Description the SR's. UIDs derived like the
 * SR's, so a resend is a duplicate; a revision is a new instance that names the one it replaces (docs/sr.md).
 */
public final class ResultImageWriter {
    public static final String SECONDARY_CAPTURE = Uids.SECONDARY_CAPTURE;
    static final int SERIES_NUMBER = 9903;
    private static final String MANUFACTURER = "Triage Router";

    private ResultImageWriter() {}

    /**
     * As {@link #write(byte[], TriageResult, Gray8Image, TriageResult.SourceImage, Path, LocalDateTime)}; the deciding image is
     * referenced when the study has a single image, which then must be it.
     */
    public static TriageReportWriter.WrittenReport write(byte[] studyAttributes, TriageResult result, Gray8Image deciding, Path out,
                                                         LocalDateTime now) throws IOException {
        TriageResult.SourceImage only = result.images() != null && result.images().size() == 1 ? result.images().get(0) : null;
        return write(studyAttributes, result, deciding, only, out, now);
    }

    /**
     * @param studyAttributes the study's patient and study attributes as stored at receipt ({@link org.triagerouter.dicom.file.StudyAttributes})
     * @param deciding        the deciding image's canonical grayscale, or null when there is none to show
     * @param decidingSource  the image {@code deciding} was rendered from, for the Source Image Sequence; null when not known
     * @param now             the content date and time
     */
    public static TriageReportWriter.WrittenReport write(byte[] studyAttributes, TriageResult result, Gray8Image deciding,
                                                         TriageResult.SourceImage decidingSource, Path out, LocalDateTime now)
            throws IOException {
        byte[] pixels = ResultImageCanvas.render(result, deciding, now);
        try {
            SourceStudy source = SourceStudy.of(studyAttributes, result);
            String study = source.studyInstanceUid();
            String series = seriesInstanceUid(source.identity());
            String sopInstance = sopInstanceUid(source.identity(), result.revision());
            String description = TriageReportWriter.seriesDescription(result);
            String date = now.format(DateTimeFormatter.ofPattern("yyyyMMdd"));
            String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));

            AttributeList image = new AttributeList();
            source.copyPatientAndStudyInto(image);
            // SOP Common
            put(image, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), SECONDARY_CAPTURE);
            put(image, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstance);
            put(image, new DateAttribute(TagFromName.InstanceCreationDate), date);
            put(image, new TimeAttribute(TagFromName.InstanceCreationTime), time);
            image.put(TriageReportWriter.contributingEquipment(result, now));
            // General Series
            put(image, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), series);
            put(image, new CodeStringAttribute(TagFromName.Modality), "OT");
            put(image, new IntegerStringAttribute(TagFromName.SeriesNumber), String.valueOf(SERIES_NUMBER));
            put(image, new LongStringAttribute(TagFromName.SeriesDescription), description);
            put(image, new DateAttribute(TagFromName.SeriesDate), date);
            put(image, new TimeAttribute(TagFromName.SeriesTime), time);
            // General Equipment, SC Equipment
            put(image, new LongStringAttribute(TagFromName.Manufacturer), MANUFACTURER);
            put(image, new LongStringAttribute(TagFromName.ManufacturerModelName), result.modelId());
            put(image, new LongStringAttribute(TagFromName.SoftwareVersions), result.modelVersion());
            put(image, new CodeStringAttribute(TagFromName.ConversionType), "WSD");
            put(image, new LongStringAttribute(TagFromName.SecondaryCaptureDeviceManufacturer), MANUFACTURER);
            put(image, new LongStringAttribute(TagFromName.SecondaryCaptureDeviceManufacturerModelName), "Triage Router");
            put(image, new LongStringAttribute(TagFromName.SecondaryCaptureDeviceSoftwareVersions), RouterVersion.VERSION);
            // General Image, SC Image
            put(image, new IntegerStringAttribute(TagFromName.InstanceNumber), String.valueOf(result.revision()));
            image.put(new CodeStringAttribute(TagFromName.PatientOrientation));
            // U (unpaired): a chest, as the SR's procedure says; what makes General Series' Laterality (2C) not required.
            put(image, new CodeStringAttribute(TagFromName.ImageLaterality), "U");
            put(image, new DateAttribute(TagFromName.ContentDate), date);
            put(image, new TimeAttribute(TagFromName.ContentTime), time);
            CodeStringAttribute imageType = new CodeStringAttribute(TagFromName.ImageType);
            imageType.addValue("DERIVED");
            imageType.addValue("SECONDARY");
            image.put(imageType);
            put(image, new ShortTextAttribute(TagFromName.DerivationDescription), derivationDescription(result, deciding, decidingSource, source.identity()));
            if (deciding != null && decidingSource != null) image.put(sourceImage(decidingSource));
            put(image, new LongTextAttribute(TagFromName.ImageComments), imageComments(result, source.identity()));
            put(image, new CodeStringAttribute(TagFromName.BurnedInAnnotation), "YES");
            put(image, new CodeStringAttribute(TagFromName.LossyImageCompression), "00");
            put(image, new DateAttribute(TagFromName.DateOfSecondaryCapture), date);
            put(image, new TimeAttribute(TagFromName.TimeOfSecondaryCapture), time);
            // Image Pixel: 8-bit MONOCHROME2
            put(image, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "1");
            put(image, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
            put(image, new UnsignedShortAttribute(TagFromName.Rows), String.valueOf(ResultImageCanvas.HEIGHT));
            put(image, new UnsignedShortAttribute(TagFromName.Columns), String.valueOf(ResultImageCanvas.WIDTH));
            put(image, new UnsignedShortAttribute(TagFromName.BitsAllocated), "8");
            put(image, new UnsignedShortAttribute(TagFromName.BitsStored), "8");
            put(image, new UnsignedShortAttribute(TagFromName.HighBit), "7");
            put(image, new UnsignedShortAttribute(TagFromName.PixelRepresentation), "0");
            // VOI LUT: shown as stored, not auto-windowed to the text's extremes.
            put(image, new DecimalStringAttribute(TagFromName.WindowCenter), "128");
            put(image, new DecimalStringAttribute(TagFromName.WindowWidth), "256");
            OtherByteAttribute pixelData = new OtherByteAttribute(TagFromName.PixelData);
            pixelData.setValues(pixels);
            image.put(pixelData);
            if (Attribute.getSingleStringValueOrEmptyString(image, TagFromName.SpecificCharacterSet).isEmpty()) {
                put(image, new CodeStringAttribute(TagFromName.SpecificCharacterSet), "ISO_IR 192");
            }
            FileMetaInformation.addFileMetaInformation(image, Uids.EXPLICIT_VR_LE, "TRIAGE");
            Files.createDirectories(out.toAbsolutePath().getParent());
            image.write(out.toFile(), Uids.EXPLICIT_VR_LE, true, true);
            return new TriageReportWriter.WrittenReport(out, study, series, sopInstance, description);
        } catch (DicomException e) {
            throw new IOException("cannot build the result image: " + e.getMessage(), e);
        }
    }

    /** The result images' series of a study and model version: one series, every revision an instance of it. */
    public static String seriesInstanceUid(String studyInstanceUid, String modelId, String modelVersion) {
        return seriesInstanceUid(SourceStudy.identity(studyInstanceUid, modelId, modelVersion));
    }

    /** The result image of a study, model version and revision; revision - 1 gives the one it replaces. */
    public static String sopInstanceUid(String studyInstanceUid, String modelId, String modelVersion, int revision) {
        return sopInstanceUid(SourceStudy.identity(studyInstanceUid, modelId, modelVersion), revision);
    }

    private static String seriesInstanceUid(String identity) {
        return Uids.fromName("triage-image-series|" + identity);
    }

    private static String sopInstanceUid(String identity, int revision) {
        return Uids.fromName("triage-image|" + identity + "|" + revision);
    }

    private static String derivationDescription(TriageResult r, Gray8Image deciding, TriageResult.SourceImage decidingSource,
                                                String identity) {
        String text;
        if (deciding == null) {
            text = "AI triage result as text; no image to show";
        } else {
            java.awt.Rectangle fitted = ResultImageCanvas.imageBounds(deciding);
            text = "Deciding image" + (decidingSource == null ? "" : " " + decidingSource.sopInstanceUid()) + ", rendered to 8 bits at "
                    + deciding.width() + "x" + deciding.height() + " and resized to " + fitted.width + "x" + fitted.height
                    + ", beside the AI triage result as text";
        }
        if (r.revision() > 1) text += "; replaces result image " + sopInstanceUid(identity, r.revision() - 1);
        return text.length() > 1024 ? text.substring(0, 1024) : text;
    }

    private static String imageComments(TriageResult r, String identity) {
        String text = "AI triage result image, revision " + r.revision();
        if (r.revision() > 1) text += ": replaces result image " + sopInstanceUid(identity, r.revision() - 1) + " (revision " + (r.revision() - 1) + ")";
        if (r.notForDiagnosticUse()) text += ". NOT FOR DIAGNOSTIC USE: " + (r.demoModel() ? "demo model" : "model not intended for clinical use");
        return text;
    }

    /** General Image's Source Image Sequence: the deciding image, as the source of this processing. */
    private static SequenceAttribute sourceImage(TriageResult.SourceImage source) throws DicomException {
        AttributeList item = new AttributeList();
        put(item, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID), source.sopClassUid());
        put(item, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID), source.sopInstanceUid());
        SequenceAttribute purpose = new SequenceAttribute(TagFromName.PurposeOfReferenceCodeSequence);
        purpose.addItem(TriageCodes.sourceImageForProcessing().getAttributeList());
        item.put(purpose);
        SequenceAttribute sequence = new SequenceAttribute(TagFromName.SourceImageSequence);
        sequence.addItem(item);
        return sequence;
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        TriageReportWriter.put(list, attribute, value);
    }
}
