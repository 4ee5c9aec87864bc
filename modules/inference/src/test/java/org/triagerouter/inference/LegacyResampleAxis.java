package org.triagerouter.inference;

/** The resampling weights of {@link LegacyTensorBuilder}, verbatim from main at 60e0113.
 *
 * Bilinear resampling weights along one axis, widened when shrinking so that every source pixel
 * contributes (antialiasing, as Pillow's BILINEAR resize does; torchvision models are usually trained so).
 * For each output position: the first source index, how many follow, and their weights (summing to 1).
 */
final class LegacyResampleAxis {
    final int[] first;
    final int[] count;
    final float[] weights;
    final int stride;

    private LegacyResampleAxis(int[] first, int[] count, float[] weights, int stride) {
        this.first = first;
        this.count = count;
        this.weights = weights;
        this.stride = stride;
    }

    /**
     * @param start      where the sampled box begins in source pixels (may be fractional, for centre crops)
     * @param length     how many source pixels the box spans
     * @param sourceSize the source's full size along this axis; samples never go outside it
     * @param outSize    how many output pixels the box becomes
     */
    static LegacyResampleAxis of(double start, double length, int sourceSize, int outSize) {
        double scale = length / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;   // the triangle filter reaches one (scaled) pixel either side
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        float[] weights = new float[outSize * stride];
        for (int out = 0; out < outSize; out++) {
            double center = start + (out + 0.5) * scale;
            int min = Math.max(0, (int) (center - support + 0.5));
            int max = Math.min(sourceSize, (int) (center + support + 0.5));
            int n = Math.min(max - min, stride);
            double total = 0;
            for (int k = 0; k < n; k++) {
                double w = Math.max(0, 1 - Math.abs((min + k - center + 0.5) / filterScale));
                weights[out * stride + k] = (float) w;
                total += w;
            }
            if (total > 0) {
                for (int k = 0; k < n; k++) weights[out * stride + k] /= (float) total;
            } else {   // cannot happen for a box inside the image; nearest pixel rather than black if it does
                min = Math.min(sourceSize - 1, Math.max(0, (int) center));
                n = 1;
                weights[out * stride] = 1f;
            }
            first[out] = min;
            count[out] = n;
        }
        return new LegacyResampleAxis(first, count, weights, stride);
    }
}
