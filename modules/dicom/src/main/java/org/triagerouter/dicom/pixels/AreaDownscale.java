package org.triagerouter.dicom.pixels;

/**
 * Area-averaging reduction: every output pixel is the mean of the source area it covers, with
 * fractional weights at the edges. Separable (rows, then columns), so it costs O(source pixels).
 */
public final class AreaDownscale {
    private AreaDownscale() {}

    public static float[] resize(float[] source, int width, int height, int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return source;
        float[] rows = new float[newWidth * height];
        for (int y = 0; y < height; y++) resampleLine(source, y * width, 1, width, rows, y * newWidth, 1, newWidth);
        float[] out = new float[newWidth * newHeight];
        for (int x = 0; x < newWidth; x++) resampleLine(rows, x, newWidth, height, out, x, newWidth, newHeight);
        return out;
    }

    /** Averages a line of {@code n} samples (stride apart) into {@code m} samples. */
    private static void resampleLine(float[] in, int inStart, int inStride, int n, float[] out, int outStart, int outStride, int m) {
        double scale = (double) n / m;
        for (int i = 0; i < m; i++) {
            double from = i * scale, to = from + scale;
            int first = (int) from, last = Math.min(n - 1, (int) Math.ceil(to) - 1);
            double sum = 0;
            for (int k = first; k <= last; k++) {
                double weight = Math.min(to, k + 1) - Math.max(from, k);
                sum += weight * in[inStart + k * inStride];
            }
            out[outStart + i * outStride] = (float) (sum / scale);
        }
    }
}
