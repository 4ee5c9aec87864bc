package org.triagerouter.dicom.pixels;

import java.util.function.DoubleUnaryOperator;

/**
 * Stored value to display value in [0, 255]: Rescale Slope/Intercept, the VOI function, MONOCHROME1
 * inverted, padding black. Up to 16 bits stored it is a table of every value, so a pixel costs one lookup.
 */
final class DisplayMapping {
    private final StoredValues stored;
    private final double slope, intercept;
    private final DoubleUnaryOperator voi;
    private final boolean monochrome1, hasPadding;
    private final int padding;
    private final float[] table;
    private final int tableMin;

    DisplayMapping(StoredValues stored, double slope, double intercept, DoubleUnaryOperator voi, boolean monochrome1,
                   boolean hasPadding, int padding) {
        this.stored = stored;
        this.slope = slope;
        this.intercept = intercept;
        this.voi = voi;
        this.monochrome1 = monochrome1;
        this.hasPadding = hasPadding;
        this.padding = padding;
        if (stored.fitsTable()) {
            tableMin = stored.min();
            table = new float[1 << stored.bitsStored()];
            for (int i = 0; i < table.length; i++) table[i] = display(tableMin + i);
        } else {
            tableMin = 0;
            table = null;
        }
    }

    /** The display value of one (masked) stored value. */
    float display(int value) {
        float d = (float) voi.applyAsDouble(value * slope + intercept);
        if (monochrome1) d = 255 - d;
        if (hasPadding && value == padding) d = 0; // padding is "no image": black
        return d;
    }

    /** Raw row values (as read, before masking) to display values. */
    void apply(int[] raw, float[] out, int n) {
        if (table != null) {
            float[] t = table;
            int shift = 32 - stored.bitsStored();
            if (stored.signed()) {
                int min = tableMin;
                for (int i = 0; i < n; i++) out[i] = t[((raw[i] << shift) >> shift) - min];
            } else {
                int mask = (1 << stored.bitsStored()) - 1;
                for (int i = 0; i < n; i++) out[i] = t[raw[i] & mask];
            }
        } else {
            for (int i = 0; i < n; i++) out[i] = display(stored.value(raw[i]));
        }
    }
}
