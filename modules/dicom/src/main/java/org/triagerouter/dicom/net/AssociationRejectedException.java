package org.triagerouter.dicom.net;

/** The peer answered A-ASSOCIATE-RJ; result, source and reason as in PS3.8 Table 9-21. */
public class AssociationRejectedException extends DicomNetworkException {
    public final int result;
    public final int source;
    public final int reason;

    public AssociationRejectedException(int result, int source, int reason) {
        super("association rejected: " + AssociateReject.describe(result, source, reason));
        this.result = result;
        this.source = source;
        this.reason = reason;
    }
}
