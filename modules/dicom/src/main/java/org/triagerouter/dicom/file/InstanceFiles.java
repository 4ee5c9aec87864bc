package org.triagerouter.dicom.file;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and checks stored Part 10 instances: structure walked by us, header parsed by PixelMed. */
public final class InstanceFiles {
    private InstanceFiles() {}

    /**
     * Checks that the Part 10 file is complete and well formed, and returns its header.
     * Reading stops before Pixel Data, so this costs a few kilobytes of I/O whatever the image size.
     */
    public static InstanceHeader validate(Path file, long dataSetOffset, String transferSyntaxUid) throws IOException {
        DatasetWalker.checkComplete(file, dataSetOffset, transferSyntaxUid);
        return readHeader(file);
    }

    /**
     * Header attributes by DICOM keyword (e.g. {@code Modality}, {@code ImageType}), for rules that may name
     * any attribute. Absent or empty attributes map to ""; multiple values are joined with a backslash.
     */
    public static java.util.Map<String, String> readAttributes(Path file, java.util.Collection<String> keywords) throws IOException {
        AttributeList list = parseHeader(file);
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String keyword : keywords) {
            AttributeTag tag = AttributeList.getDictionary().getTagFromName(keyword);
            if (tag == null) throw new IllegalArgumentException("unknown DICOM keyword '" + keyword + "'");
            values.put(keyword, com.pixelmed.dicom.Attribute.getDelimitedStringValuesOrEmptyString(list, tag).trim());
        }
        return values;
    }

    /** Where the top-level Pixel Data value starts, for reading it without parsing it; null when there is none. */
    public static PixelDataLocation locatePixelData(Path file, Part10Meta meta) throws IOException {
        return DatasetWalker.locatePixelData(file, meta.dataSetOffset(), meta.transferSyntaxUid());
    }

    /** True when {@code keyword} names a DICOM attribute (for validating configuration). */
    public static boolean isKeyword(String keyword) {
        return AttributeList.getDictionary().getTagFromName(keyword) != null;
    }

    /** Parses the header of a Part 10 file (stopping before Pixel Data). */
    public static InstanceHeader readHeader(Path file) throws IOException {
        AttributeList list = parseHeader(file);
        return new InstanceHeader(
                text(list, TagFromName.SOPClassUID),
                text(list, TagFromName.SOPInstanceUID),
                text(list, TagFromName.StudyInstanceUID),
                text(list, TagFromName.SeriesInstanceUID),
                text(list, TagFromName.PatientID),
                text(list, TagFromName.PatientName),
                text(list, TagFromName.AccessionNumber),
                text(list, TagFromName.Modality),
                text(list, TagFromName.BodyPartExamined),
                text(list, TagFromName.ViewPosition),
                allValues(list, TagFromName.ImageType),
                text(list, TagFromName.PhotometricInterpretation),
                intValue(list, TagFromName.Rows),
                intValue(list, TagFromName.Columns),
                StudyAttributes.extract(list));
    }

    /** PixelMed's parse of everything before Pixel Data: a few kilobytes, whatever the image size. */
    private static AttributeList parseHeader(Path file) throws IOException {
        AttributeList list = new AttributeList();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 16384)) {
            list.read(new DicomInputStream(in), TagFromName.PixelData);
        } catch (DicomException | RuntimeException e) {
            throw new InvalidDatasetException("unparsable data set: " + e.getMessage(), false);
        }
        return list;
    }

    private static String text(AttributeList list, AttributeTag tag) {
        String value = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
        return value.isEmpty() ? null : value;
    }

    private static String allValues(AttributeList list, AttributeTag tag) {
        String value = com.pixelmed.dicom.Attribute.getDelimitedStringValuesOrEmptyString(list, tag).trim();
        return value.isEmpty() ? null : value;
    }

    private static int intValue(AttributeList list, AttributeTag tag) {
        return com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(list, tag, 0);
    }
}
