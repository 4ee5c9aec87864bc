package org.triagerouter.dicom.net;

import java.util.List;

/**
 * What a Storage Commitment SCP reports in its N-EVENT-REPORT (PS3.4 J.3.3): the Transaction UID of the
 * request it answers, event type 1 (all committed) or 2 (failures exist), the instances it commits to and
 * those it does not, each with its Failure Reason (PS3.3 C.14.1.1).
 */
public record StorageCommitmentResult(String transactionUid, int eventType, List<ReferencedInstance> committed, List<Failure> failed) {
    public StorageCommitmentResult {
        committed = List.copyOf(committed);
        failed = List.copyOf(failed);
    }

    /** One instance the SCP does not commit to, and why. */
    public record Failure(ReferencedInstance instance, int reason) {
        /** The Failure Reason (0008,1197) in words, as PS3.3 C.14.1.1 defines the codes. */
        public String describe() {
            String text = switch (reason) {
                case 0x0110 -> "processing failure";
                case 0x0112 -> "no such object instance";
                case 0x0213 -> "resource limitation";
                case 0x0122 -> "referenced SOP class not supported";
                case 0x0119 -> "class/instance conflict";
                case 0x0131 -> "duplicate transaction UID";
                default -> "failure reason";
            };
            return String.format("%s 0x%04X %s", instance.sopInstanceUid(), reason, text);
        }
    }

    public boolean allCommitted() { return eventType == StorageCommitment.EVENT_SUCCESS && failed.isEmpty(); }
}
