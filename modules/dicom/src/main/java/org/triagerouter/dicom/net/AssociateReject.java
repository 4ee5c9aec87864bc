package org.triagerouter.dicom.net;

/** A-ASSOCIATE-RJ result, source and reason values (PS3.8 Table 9-21). */
public record AssociateReject(int result, int source, int reason) {
    public static final int PERMANENT = 1;
    public static final int TRANSIENT = 2;

    public static final int SOURCE_SERVICE_USER = 1;
    public static final int SOURCE_SERVICE_PROVIDER_ACSE = 2;
    public static final int SOURCE_SERVICE_PROVIDER_PRESENTATION = 3;

    public static final AssociateReject NO_REASON_GIVEN = new AssociateReject(PERMANENT, SOURCE_SERVICE_USER, 1);
    public static final AssociateReject APPLICATION_CONTEXT_NOT_SUPPORTED = new AssociateReject(PERMANENT, SOURCE_SERVICE_USER, 2);
    public static final AssociateReject CALLING_AE_NOT_RECOGNIZED = new AssociateReject(PERMANENT, SOURCE_SERVICE_USER, 3);
    public static final AssociateReject CALLED_AE_NOT_RECOGNIZED = new AssociateReject(PERMANENT, SOURCE_SERVICE_USER, 7);
    public static final AssociateReject PROTOCOL_VERSION_NOT_SUPPORTED = new AssociateReject(PERMANENT, SOURCE_SERVICE_PROVIDER_ACSE, 2);
    public static final AssociateReject LOCAL_LIMIT_EXCEEDED = new AssociateReject(TRANSIENT, SOURCE_SERVICE_PROVIDER_PRESENTATION, 2);

    public static String describe(int result, int source, int reason) {
        String why = switch (source) {
            case SOURCE_SERVICE_USER -> switch (reason) {
                case 1 -> "no reason given";
                case 2 -> "application context name not supported";
                case 3 -> "calling AE title not recognized";
                case 7 -> "called AE title not recognized";
                default -> "reason " + reason;
            };
            case SOURCE_SERVICE_PROVIDER_ACSE -> reason == 2 ? "protocol version not supported" : "no reason given (ACSE)";
            case SOURCE_SERVICE_PROVIDER_PRESENTATION -> reason == 1 ? "temporary congestion" : reason == 2 ? "local limit exceeded" : "reason " + reason;
            default -> "source " + source + " reason " + reason;
        };
        return (result == TRANSIENT ? "transient, " : "permanent, ") + why;
    }

    @Override
    public String toString() { return describe(result, source, reason); }
}
