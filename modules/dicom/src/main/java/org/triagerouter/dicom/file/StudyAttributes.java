package org.triagerouter.dicom.file;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The Patient and General Study attributes a result document copies from its study, kept as they came
 * (encoded, character set included) so that a report can be written on any node, without the image files.
 */
public final class StudyAttributes {
    /** What the SR, the KOS and the result image copy. */
    static final AttributeTag[] COPIED = {TagFromName.SpecificCharacterSet, TagFromName.PatientName, TagFromName.PatientID,
            TagFromName.PatientBirthDate, TagFromName.PatientSex, TagFromName.StudyInstanceUID, TagFromName.StudyDate, TagFromName.StudyTime,
            TagFromName.ReferringPhysicianName, TagFromName.StudyID, TagFromName.AccessionNumber, TagFromName.StudyDescription};

    private StudyAttributes() {}

    /**
     * The patient and study as plain text, for modules that talk about a study outside DICOM (HL7): the name in
     * DICOM PN form (family^given^middle^prefix^suffix), dates DA, time TM; a missing attribute is an empty string.
     */
    public record Patient(String name, String id, String birthDate, String sex, String accessionNumber, String studyInstanceUid,
                          String studyDescription, String studyDate, String studyTime) {}

    /** The patient and study of what {@link #extract} wrote (study.attributes). */
    public static Patient patient(byte[] encoded) throws IOException {
        return patientOf(decode(encoded));
    }

    /** The patient and study a Part 10 object (an SR the router wrote) copies from its study. */
    public static Patient patientOfPart10(byte[] part10) throws IOException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in, TagFromName.PixelData);
        } catch (DicomException e) {
            throw new IOException("unreadable DICOM object: " + e.getMessage(), e);
        }
        return patientOf(list);
    }

    private static Patient patientOf(AttributeList list) {
        return new Patient(text(list, TagFromName.PatientName), text(list, TagFromName.PatientID), text(list, TagFromName.PatientBirthDate),
                text(list, TagFromName.PatientSex), text(list, TagFromName.AccessionNumber), text(list, TagFromName.StudyInstanceUID),
                text(list, TagFromName.StudyDescription), text(list, TagFromName.StudyDate), text(list, TagFromName.StudyTime));
    }

    private static String text(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
    }

    /** The copied attributes of a parsed header, as an Explicit VR Little Endian data set of a few hundred bytes. */
    public static byte[] extract(AttributeList header) throws IOException {
        AttributeList subset = new AttributeList();
        for (AttributeTag tag : COPIED) {
            Attribute a = header.get(tag);
            if (a != null) subset.put(a);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (DicomOutputStream dicom = new DicomOutputStream(out, null, TransferSyntax.ExplicitVRLittleEndian)) {
            subset.write(dicom);
        } catch (DicomException e) {
            throw new IOException("cannot encode study attributes: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The copied attributes of a stored file (for studies recorded before they were kept in the database). */
    public static byte[] read(java.nio.file.Path file) throws IOException {
        AttributeList header = new AttributeList();
        try {
            header.read(file.toFile(), TagFromName.PixelData);
        } catch (DicomException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return extract(header);
    }

    /** Decodes what {@link #extract} wrote. */
    public static AttributeList decode(byte[] encoded) throws IOException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(encoded), TransferSyntax.ExplicitVRLittleEndian, false)) {
            list.read(in);
        } catch (DicomException e) {
            throw new IOException("stored study attributes unreadable: " + e.getMessage(), e);
        }
        return list;
    }
}
