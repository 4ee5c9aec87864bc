package org.triagerouter.inference;

import java.nio.FloatBuffer;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.dicom.pixels.ModelInputResampler;

/**
 * Turns one image's model-ready input (8-bit, at the model's geometry, as the prepare stage stores it) into its
 * part of the model's input tensor: normalised per the manifest and repeated into each channel, through a
 * 256-entry table per channel. A canonical image without a stored input is first fitted to the model's
 * geometry ({@link ModelInputResampler}, the prepare stage's own code), so both paths give the model the same
 * values. Immutable, so one builder serves every thread.
 */
public final class TensorBuilder {
    private final int channels;
    private final int plane;
    private final ModelGeometry geometry;
    /** Per channel, the normalised value of each 8-bit level. */
    private final float[][] levels;

    public TensorBuilder(ModelManifest manifest) {
        this.channels = manifest.input().channels();
        this.geometry = manifest.geometry();
        this.plane = geometry.pixels();
        this.levels = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            float scale = (float) manifest.normalization().scale(c), offset = (float) manifest.normalization().offset(c);
            for (int v = 0; v < 256; v++) levels[c][v] = v * scale + offset;
        }
    }

    /** Floats per image: channels × height × width. */
    public int imageTensorSize() { return channels * plane; }

    /** The geometry of the model-ready inputs this builder takes. */
    public ModelGeometry geometry() { return geometry; }

    /** The model-ready input of a canonical image: fitted to the model's geometry, 8-bit. */
    public byte[] modelInput(GrayImage image) {
        return ModelInputResampler.resample(image.pixels(), image.width(), image.height(), geometry);
    }

    /** One image as a tensor of its own ([channels, height, width], row-major). */
    public float[] build(GrayImage image) {
        float[] tensor = new float[imageTensorSize()];
        write(image, tensor, 0);
        return tensor;
    }

    /** Writes one canonical image into a batch array at {@code offset}, e.g. {@code index * imageTensorSize()}. */
    public void write(GrayImage image, float[] batch, int offset) {
        write(modelInput(image), FloatBuffer.wrap(batch), offset);
    }

    /** Writes one canonical image into a batch buffer at {@code offset} (in floats). */
    public void write(GrayImage image, FloatBuffer batch, int offset) {
        write(modelInput(image), batch, offset);
    }

    /**
     * Writes one model-ready input ({@code height × width} bytes) into a batch buffer at {@code offset} (in floats),
     * e.g. {@code index * imageTensorSize()}. The buffer's position and limit are left alone.
     */
    public void write(byte[] input, FloatBuffer batch, int offset) {
        if (input.length != plane) {
            throw new IllegalArgumentException("a " + geometry.key() + " input is " + plane + " bytes, got " + input.length);
        }
        if (offset < 0 || (long) offset + imageTensorSize() > batch.capacity()) {
            throw new IllegalArgumentException("an image needs " + imageTensorSize() + " floats at offset " + offset
                    + ", the buffer holds " + batch.capacity());
        }
        for (int c = 0; c < channels; c++) {
            float[] level = levels[c];
            int target = offset + c * plane;
            for (int i = 0; i < plane; i++) batch.put(target + i, level[input[i] & 0xFF]);
        }
    }
}
