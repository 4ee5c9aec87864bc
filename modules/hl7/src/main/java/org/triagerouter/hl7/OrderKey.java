package org.triagerouter.hl7;

/** The value the messages put in the order number fields, and which of the study's identifiers it is. */
public record OrderKey(Kind kind, String value) {
    public enum Kind {
        ACCESSION_NUMBER("AccessionNumber"), STUDY_INSTANCE_UID("StudyInstanceUID");

        /** As stored on the delivery and shown by the dashboard. */
        public final String label;

        Kind(String label) { this.label = label; }
    }
}
