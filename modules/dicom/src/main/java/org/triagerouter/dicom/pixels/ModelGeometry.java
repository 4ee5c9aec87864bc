package org.triagerouter.dicom.pixels;

import java.util.Locale;

/**
 * The picture a model takes: {@code width} × {@code height} pixels, and how an image of another shape is fitted
 * into it. An image's model-ready input is one 8-bit plane at this geometry (a model's channels repeat it), so
 * models that share a geometry share their stored inputs.
 */
public record ModelGeometry(int width, int height, Fit fit) {
    /** How an image of another shape is fitted to the model's height × width. */
    public enum Fit {
        /** Scale each axis independently; the aspect ratio changes. */
        STRETCH,
        /** Keep the aspect ratio, fit inside, pad the rest with black (pixel 0). */
        LETTERBOX,
        /** Keep the aspect ratio, cover the whole input, cut the overhang equally on both sides. */
        CENTER_CROP
    }

    public ModelGeometry {
        if (width < 1 || height < 1) throw new IllegalArgumentException("a model input must be at least 1x1, got " + width + "x" + height);
        if ((long) width * height > Integer.MAX_VALUE) throw new IllegalArgumentException("model input " + width + "x" + height + " is too large");
        java.util.Objects.requireNonNull(fit, "fit");
    }

    /** The key stored inputs are found by, e.g. {@code 224x224 stretch}. */
    public String key() {
        return width + "x" + height + " " + fit.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Bytes of one model-ready input. */
    public int pixels() { return width * height; }
}
