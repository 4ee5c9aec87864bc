package org.triagerouter.dicom.net;

/**
 * A DIMSE response status (PS3.7 Annex C, PS3.4 B.2.3) with an optional error comment
 * that names the problem for the sender's log.
 */
public record DimseStatus(int code, String comment) {
    public static final DimseStatus SUCCESS = new DimseStatus(0x0000, null);

    /** Refused: out of resources (disk, database). */
    public static final int OUT_OF_RESOURCES = 0xA700;
    /** Error: data set does not match SOP class. */
    public static final int DATASET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    /** Error: cannot understand (0xC000-0xCFFF); the router uses the low bits to say what. */
    public static final int CANNOT_UNDERSTAND = 0xC000;
    public static final int CANNOT_UNDERSTAND_TRUNCATED = 0xC001;
    public static final int CANNOT_UNDERSTAND_UID_MISMATCH = 0xC002;
    public static final int CANNOT_UNDERSTAND_INVALID_UID = 0xC003;
    /** Refused: SOP class not supported. */
    public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    /** Unrecognized operation. */
    public static final int UNRECOGNIZED_OPERATION = 0x0211;
    /** Processing failure. */
    public static final int PROCESSING_FAILURE = 0x0110;
    /** Warning: coercion of data elements. */
    public static final int COERCION_OF_DATA_ELEMENTS = 0xB000;
    /** Warning: data set does not match SOP class. */
    public static final int WARNING_DATASET_DOES_NOT_MATCH = 0xB007;

    public static DimseStatus of(int code, String comment) { return new DimseStatus(code, comment); }

    public static DimseStatus of(int code) { return new DimseStatus(code, null); }

    public boolean isSuccess() { return code == 0x0000; }

    public boolean isWarning() { return code == 0x0001 || (code & 0xF000) == 0xB000 || code == 0x0107 || code == 0x0116; }

    public boolean isFailure() { return !isSuccess() && !isWarning() && !isPending(); }

    public boolean isPending() { return code == 0xFF00 || code == 0xFF01; }

    /** Success, Warning, Failure: how a summary groups statuses. */
    public String category() {
        return isSuccess() ? "Success" : isWarning() ? "Warning" : isPending() ? "Pending" : "Failure";
    }

    @Override
    public String toString() {
        return String.format("0x%04X %s%s", code, category(), comment == null ? "" : " (" + comment + ")");
    }
}
