package org.triagerouter.inference;

import java.util.Arrays;
import org.triagerouter.inference.ModelManifest.ResizeMode;

/**
 * The infer stage's tensor path before model-ready inputs (main at 60e0113, verbatim but for names): the reference
 * the stored inputs are compared with. Its float output, rounded, must equal the bytes the prepare stage stores.
 *
 * Turns a canonical grayscale image into one image's worth of the model's input tensor: fitted to the
 * model's size per the manifest's resize mode (antialiased bilinear), normalised, and repeated into each
 * channel. Allocation is per image (weight tables and one buffer of source rows × model width), never per pixel.
 * Immutable, so one builder serves every thread.
 */
final class LegacyTensorBuilder {
    private final int channels;
    private final int height;
    private final int width;
    private final ResizeMode resize;
    private final float[] scale;
    private final float[] offset;

    LegacyTensorBuilder(ModelManifest manifest) {
        ModelManifest.Input input = manifest.input();
        this.channels = input.channels();
        this.height = input.height();
        this.width = input.width();
        this.resize = manifest.resize();
        this.scale = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = (float) manifest.normalization().scale(c);
            offset[c] = (float) manifest.normalization().offset(c);
        }
    }

    /** Floats per image: channels × height × width. */
    public int imageTensorSize() { return channels * height * width; }

    /** One image as a tensor of its own ([channels, height, width], row-major). */
    public float[] build(GrayImage image) {
        float[] tensor = new float[imageTensorSize()];
        write(image, tensor, 0);
        return tensor;
    }

    /** Writes one image into a batch buffer at {@code offset}, e.g. {@code index * imageTensorSize()}. */
    public void write(GrayImage image, float[] batch, int offset) {
        if (offset < 0 || (long) offset + imageTensorSize() > batch.length) {
            throw new IllegalArgumentException("an image needs " + imageTensorSize() + " floats at offset " + offset
                    + ", the buffer holds " + batch.length);
        }
        int w = image.width(), h = image.height();
        // Where the image lands in the model's input (content), and which part of the image is used (box).
        int contentWidth = width, contentHeight = height, left = 0, top = 0;
        double boxX = 0, boxY = 0, boxWidth = w, boxHeight = h;
        switch (resize) {
            case STRETCH -> { }
            case LETTERBOX -> {
                double fit = Math.min((double) width / w, (double) height / h);
                contentWidth = Math.clamp(Math.round(w * fit), 1, width);
                contentHeight = Math.clamp(Math.round(h * fit), 1, height);
                left = (width - contentWidth) / 2;
                top = (height - contentHeight) / 2;
            }
            case CENTER_CROP -> {
                double cover = Math.max((double) width / w, (double) height / h);
                boxWidth = width / cover;
                boxHeight = height / cover;
                boxX = (w - boxWidth) / 2;
                boxY = (h - boxHeight) / 2;
            }
        }
        LegacyResampleAxis xs = LegacyResampleAxis.of(boxX, boxWidth, w, contentWidth);
        LegacyResampleAxis ys = LegacyResampleAxis.of(boxY, boxHeight, h, contentHeight);
        int plane = height * width;
        if (contentWidth != width || contentHeight != height) {
            // Letterbox padding is black (pixel 0), normalised like any other pixel.
            for (int c = 0; c < channels; c++) Arrays.fill(batch, offset + c * plane, offset + (c + 1) * plane, this.offset[c]);
        }

        // Horizontal pass over the source rows the vertical pass will read, then vertical, row by row.
        int firstRow = ys.first[0];
        int lastRow = ys.first[contentHeight - 1] + ys.count[contentHeight - 1];
        float[] rows = new float[(lastRow - firstRow) * contentWidth];
        byte[] pixels = image.pixels();
        for (int r = firstRow; r < lastRow; r++) {
            int source = r * w, target = (r - firstRow) * contentWidth;
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
            for (int c = 0; c < channels; c++) {
                int target = offset + c * plane + (top + y) * width + left;
                float channelScale = scale[c], channelOffset = this.offset[c];
                for (int x = 0; x < contentWidth; x++) batch[target + x] = line[x] * channelScale + channelOffset;
            }
        }
    }
}
