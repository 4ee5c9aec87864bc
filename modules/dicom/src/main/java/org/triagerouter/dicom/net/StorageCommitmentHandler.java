package org.triagerouter.dicom.net;

/**
 * What the router does with a Storage Commitment result (an N-EVENT-REPORT), whether it comes on the
 * association that carried the N-ACTION or on one the PACS opens to the listener: one result in, the
 * N-EVENT-REPORT-RSP status out (success once it is recorded).
 */
@FunctionalInterface
public interface StorageCommitmentHandler {
    /** {@code reportedBy} names the peer and the association, for logs and the record. */
    DimseStatus onResult(StorageCommitmentResult result, String reportedBy);
}
