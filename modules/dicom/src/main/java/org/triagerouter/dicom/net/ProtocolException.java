package org.triagerouter.dicom.net;

/** A peer broke the upper-layer protocol; the association is aborted with {@link #abortReason}. */
public class ProtocolException extends DicomNetworkException {
    /** PS3.8 Table 9-26 reasons, for source = service-provider. */
    public static final int NOT_SPECIFIED = 0;
    public static final int UNRECOGNIZED_PDU = 1;
    public static final int UNEXPECTED_PDU = 2;
    public static final int UNRECOGNIZED_PDU_PARAMETER = 4;
    public static final int UNEXPECTED_PDU_PARAMETER = 5;
    public static final int INVALID_PDU_PARAMETER_VALUE = 6;

    public final int abortReason;

    public ProtocolException(int abortReason, String message) {
        super(message);
        this.abortReason = abortReason;
    }
}
