package org.triagerouter.dicom.net;

/**
 * The AE title rules of PS3.5 (VR AE: default repertoire, no backslash, no control characters,
 * at most 16 characters) and PS3.8 9.3.2 (16 spaces, "no name", shall not be used).
 */
final class AeTitleCheck {
    private AeTitleCheck() {}

    static final int MAX_LENGTH = 16;

    /** Null when {@code title} (leading and trailing spaces already removed) is a usable AE title, else what is wrong. */
    static String problem(String title) {
        if (title == null || title.isEmpty()) return "is empty (all spaces)";
        if (title.length() > MAX_LENGTH) return "is longer than " + MAX_LENGTH + " characters";
        for (int i = 0; i < title.length(); i++) {
            char c = title.charAt(i);
            if (c < 0x20 || c > 0x7E) return "holds a control or non-ASCII character";
            if (c == '\\') return "holds a backslash";
        }
        return null;
    }

    /** The title quoted for a log line, anything outside printable ASCII shown as an escape so it cannot forge log lines. */
    static String printable(String title) {
        if (title == null) return "(none)";
        StringBuilder b = new StringBuilder(title.length() + 2).append('\'');
        for (int i = 0; i < title.length(); i++) {
            char c = title.charAt(i);
            if (c >= 0x20 && c <= 0x7E) b.append(c);
            else b.append(String.format("\\x%02X", (int) c));
        }
        return b.append('\'').toString();
    }
}
