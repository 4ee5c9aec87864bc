package org.triagerouter.dicom.pixels;

import java.util.Arrays;

/**
 * Fits an 8-bit grayscale image to a {@link ModelGeometry}: antialiased bilinear (as Pillow's BILINEAR resize,
 * which torchvision models are usually trained with), letterbox padding black, rounded back to 8 bits. The prepare
 * stage stores its result beside the canonical image; the infer stage only normalises it. Allocation is per image
 * (weight tables and one buffer of source rows × model width), never per pixel.
 */
public final class ModelInputResampler {
    private ModelInputResampler() {}

    /**
     * The model-ready input of a {@code width} × {@code height} image ({@code pixels} row by row, 0 black):
     * {@code geometry.width() × geometry.height()} bytes, row by row.
     */
    public static byte[] resample(byte[] pixels, int width, int height, ModelGeometry geometry) {
        if (width < 1 || height < 1 || pixels.length != (long) width * height) {
            throw new IllegalArgumentException(width + "x" + height + " image needs " + (long) width * height + " pixels, got " + pixels.length);
        }
        int outWidth = geometry.width(), outHeight = geometry.height();
        // Where the image lands in the model's input (content), and which part of the image is used (box).
        int contentWidth = outWidth, contentHeight = outHeight, left = 0, top = 0;
        double boxX = 0, boxY = 0, boxWidth = width, boxHeight = height;
        switch (geometry.fit()) {
            case STRETCH -> { }
            case LETTERBOX -> {
                double fit = Math.min((double) outWidth / width, (double) outHeight / height);
                contentWidth = Math.clamp(Math.round(width * fit), 1, outWidth);
                contentHeight = Math.clamp(Math.round(height * fit), 1, outHeight);
                left = (outWidth - contentWidth) / 2;
                top = (outHeight - contentHeight) / 2;
            }
            case CENTER_CROP -> {
                double cover = Math.max((double) outWidth / width, (double) outHeight / height);
                boxWidth = outWidth / cover;
                boxHeight = outHeight / cover;
                boxX = (width - boxWidth) / 2;
                boxY = (height - boxHeight) / 2;
            }
        }
        ResampleAxis xs = ResampleAxis.of(boxX, boxWidth, width, contentWidth);
        ResampleAxis ys = ResampleAxis.of(boxY, boxHeight, height, contentHeight);
        byte[] out = new byte[outWidth * outHeight]; // letterbox padding stays 0, black

        // Horizontal pass over the source rows the vertical pass will read, then vertical, row by row.
        int firstRow = ys.first[0];
        int lastRow = ys.first[contentHeight - 1] + ys.count[contentHeight - 1];
        float[] rows = new float[(lastRow - firstRow) * contentWidth];
        for (int r = firstRow; r < lastRow; r++) {
            int source = r * width, target = (r - firstRow) * contentWidth;
            for (int x = 0; x < contentWidth; x++) {
                int from = source + xs.first[x], weightAt = x * xs.stride;
                float sum = 0;
                for (int k = 0, n = xs.count[x]; k < n; k++) sum += xs.weights[weightAt + k] * (pixels[from + k] & 0xFF);
                rows[target + x] = sum;
            }
        }
        float[] line = new float[contentWidth];
        for (int y = 0; y < contentHeight; y++) {
            Arrays.fill(line, 0f);
            for (int k = 0, n = ys.count[y]; k < n; k++) {
                float weight = ys.weights[y * ys.stride + k];
                int from = (ys.first[y] + k - firstRow) * contentWidth;
                for (int x = 0; x < contentWidth; x++) line[x] += weight * rows[from + x];
            }
            int target = (top + y) * outWidth + left;
            for (int x = 0; x < contentWidth; x++) out[target + x] = (byte) Math.clamp(Math.round(line[x]), 0, 255);
        }
        return out;
    }
}
