package org.triagerouter.dicom.net;

/** DIMSE priority (PS3.7 E.1-1, (0000,0700)). */
public enum Priority {
    MEDIUM(0x0000), HIGH(0x0001), LOW(0x0002);

    public final int code;

    Priority(int code) { this.code = code; }

    public static Priority of(int code) {
        for (Priority p : values()) if (p.code == code) return p;
        return MEDIUM;
    }
}
