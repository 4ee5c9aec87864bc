package org.triagerouter.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;

/**
 * The study a result document joins, from the attributes stored with it at receipt: whose patient and study attributes the
 * SR and KOS copy, and the identity (study, model, version) their UIDs are derived from.
 */
record SourceStudy(AttributeList header, String studyInstanceUid, String identity) {

    static SourceStudy of(byte[] studyAttributes, TriageResult result) throws IOException {
        AttributeList header = org.triagerouter.dicom.file.StudyAttributes.decode(studyAttributes);
        String study = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.StudyInstanceUID);
        return new SourceStudy(header, study, identity(study, result.modelId(), result.modelVersion()));
    }

    /** What the UIDs of a study's result documents are derived from. */
    static String identity(String studyInstanceUid, String modelId, String modelVersion) {
        return studyInstanceUid + "|" + modelId + "|" + modelVersion;
    }

    /** Patient and General Study modules; their Type 2 attributes present, empty when the image lacks them. */
    void copyPatientAndStudyInto(AttributeList document) throws DicomException {
        TriageReportWriter.copy(header, document, TagFromName.PatientName, TagFromName.PatientID, TagFromName.PatientBirthDate,
                TagFromName.PatientSex, TagFromName.StudyInstanceUID, TagFromName.StudyDate, TagFromName.StudyTime,
                TagFromName.ReferringPhysicianName, TagFromName.StudyID, TagFromName.AccessionNumber, TagFromName.StudyDescription,
                TagFromName.SpecificCharacterSet);
        TriageReportWriter.emptyIfAbsent(document, TagFromName.PatientName, TagFromName.PatientID, TagFromName.PatientBirthDate,
                TagFromName.PatientSex, TagFromName.StudyDate, TagFromName.StudyTime, TagFromName.ReferringPhysicianName,
                TagFromName.StudyID, TagFromName.AccessionNumber);
    }
}
