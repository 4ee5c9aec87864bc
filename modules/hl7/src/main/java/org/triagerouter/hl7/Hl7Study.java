package org.triagerouter.hl7;

/**
 * The patient and study a result is about, as received in DICOM: {@code patientName} in DICOM PN form
 * (family^given^middle^prefix^suffix), dates as DICOM DA (YYYYMMDD), {@code studyTime} as DICOM TM.
 * Any of them may be empty except the Study Instance UID.
 */
public record Hl7Study(String patientId, String patientName, String birthDate, String sex, String accessionNumber,
                       String studyInstanceUid, String studyDescription, String studyDate, String studyTime) {
    public Hl7Study {
        if (studyInstanceUid == null || studyInstanceUid.isBlank()) throw new IllegalArgumentException("a study needs its Study Instance UID");
    }

    /** The key the RIS knows the order by: the Accession Number, else (a study without one) the Study Instance UID. */
    public OrderKey orderKey() {
        return accessionNumber != null && !accessionNumber.isBlank()
                ? new OrderKey(OrderKey.Kind.ACCESSION_NUMBER, accessionNumber.trim())
                : new OrderKey(OrderKey.Kind.STUDY_INSTANCE_UID, studyInstanceUid.trim());
    }
}
