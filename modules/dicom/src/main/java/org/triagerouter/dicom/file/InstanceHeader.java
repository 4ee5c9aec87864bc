package org.triagerouter.dicom.file;

/**
 * The header attributes later stages need, read once at receive time. Patient name and ID are
 * PHI: keep them out of INFO logs. {@code studyAttributes} holds the Patient and General Study
 * attributes result documents copy, encoded ({@link StudyAttributes}).
 */
public record InstanceHeader(
        String sopClassUid,
        String sopInstanceUid,
        String studyInstanceUid,
        String seriesInstanceUid,
        String patientId,
        String patientName,
        String accessionNumber,
        String modality,
        String bodyPartExamined,
        String viewPosition,
        String imageType,
        String photometricInterpretation,
        int rows,
        int columns,
        byte[] studyAttributes) {}
