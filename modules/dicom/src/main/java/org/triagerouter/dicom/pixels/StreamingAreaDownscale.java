package org.triagerouter.dicom.pixels;

/**
 * {@link AreaDownscale} fed one source row at a time, straight to 8-bit output: each row is reduced across,
 * then added into the one or two output rows it covers; an output row is rounded out once its last source
 * row is in. Holds a few rows, never the source image. The arithmetic (weights, order of sums, float
 * rounding points) is AreaDownscale's, so both give the same bytes.
 */
final class StreamingAreaDownscale {
    /** Output rows a source row can touch while reducing (scale ≥ 1), plus one. */
    private static final int IN_FLIGHT = 3;

    private final int width, newWidth, newHeight;
    private final double scaleX, scaleY;
    private final int[] spanStart;      // per output column: first source column, offset of its weights
    private final int[] weightStart;
    private final double[] weights;
    private final int[] firstRow, lastRow;
    private final float[] reduced;
    private final double[][] sums = new double[IN_FLIGHT][];
    private final byte[] out;
    private int sourceRow, nextOutputRow;

    StreamingAreaDownscale(int width, int height, int newWidth, int newHeight) {
        if (newWidth > width || newHeight > height) throw new IllegalArgumentException("reduces only");
        this.width = width;
        this.newWidth = newWidth;
        this.newHeight = newHeight;
        this.scaleX = (double) width / newWidth;
        this.scaleY = (double) height / newHeight;
        spanStart = new int[newWidth];
        weightStart = new int[newWidth + 1];
        int total = 0;
        for (int i = 0; i < newWidth; i++) {
            double from = i * scaleX, to = from + scaleX;
            int first = (int) from, last = Math.min(width - 1, (int) Math.ceil(to) - 1);
            spanStart[i] = first;
            weightStart[i] = total;
            total += Math.max(0, last - first + 1);
        }
        weightStart[newWidth] = total;
        weights = new double[total];
        for (int i = 0; i < newWidth; i++) {
            double from = i * scaleX, to = from + scaleX;
            for (int w = weightStart[i], k = spanStart[i]; w < weightStart[i + 1]; w++, k++) {
                weights[w] = Math.min(to, k + 1) - Math.max(from, k);
            }
        }
        firstRow = new int[newHeight];
        lastRow = new int[newHeight];
        for (int j = 0; j < newHeight; j++) {
            double from = j * scaleY, to = from + scaleY;
            firstRow[j] = (int) from;
            lastRow[j] = Math.min(height - 1, (int) Math.ceil(to) - 1);
        }
        reduced = new float[newWidth];
        for (int i = 0; i < IN_FLIGHT; i++) sums[i] = new double[newWidth];
        out = new byte[newWidth * newHeight];
    }

    /** The next source row's display values (the first {@code width} entries). */
    void add(float[] row) {
        for (int i = 0; i < newWidth; i++) {
            double sum = 0;
            int k = spanStart[i];
            for (int w = weightStart[i], last = weightStart[i + 1]; w < last; w++, k++) sum += weights[w] * row[k];
            reduced[i] = (float) (sum / scaleX);
        }
        int k = sourceRow++;
        for (int j = nextOutputRow; j < newHeight && firstRow[j] <= k; j++) {
            if (k > lastRow[j]) continue;
            if (j - nextOutputRow >= IN_FLIGHT) throw new IllegalStateException("source row " + k + " spans too many output rows");
            double from = j * scaleY, to = from + scaleY;
            double weight = Math.min(to, k + 1) - Math.max(from, k);
            double[] s = sums[j % IN_FLIGHT];
            for (int i = 0; i < newWidth; i++) s[i] += weight * reduced[i];
        }
        while (nextOutputRow < newHeight && lastRow[nextOutputRow] <= k) {
            double[] s = sums[nextOutputRow % IN_FLIGHT];
            int base = nextOutputRow * newWidth;
            for (int i = 0; i < newWidth; i++) {
                out[base + i] = (byte) Math.max(0, Math.min(255, Math.round((float) (s[i] / scaleY))));
                s[i] = 0;
            }
            nextOutputRow++;
        }
    }

    int width() { return width; }

    /** The reduced image, once every source row is in. */
    byte[] pixels() {
        if (nextOutputRow != newHeight) throw new IllegalStateException("only " + sourceRow + " source rows added");
        return out;
    }
}
