package org.triagerouter.analysis;

import java.util.Locale;

/** Ground truth for a study, as a radiologist's report or a reference standard says. */
public enum TruthLabel {
    NORMAL,
    ABNORMAL;

    /**
     * Reads a label cell: {@code normal}/{@code abnormal} in any case, or {@code 0}/{@code 1}.
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static TruthLabel parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "normal", "0" -> NORMAL;
            case "abnormal", "1" -> ABNORMAL;
            default -> throw new IllegalArgumentException(
                    "label '" + text + "' is not one of normal, abnormal, 0, 1");
        };
    }

    public boolean isAbnormal() {
        return this == ABNORMAL;
    }
}
