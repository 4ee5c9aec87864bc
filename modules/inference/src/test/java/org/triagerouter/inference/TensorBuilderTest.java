package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Resizing, padding, cropping and normalisation, checked pixel by pixel on small images. */
class TensorBuilderTest {
    private static final float EPS = 1e-5f;

    static ModelManifest manifest(int channels, int height, int width, String resize, String normalization) throws Exception {
        String labels = "[abnormal]";
        return ModelManifest.parse("""
                id: t
                version: 1
                file: t.onnx
                input: {name: image, channels: %d, height: %d, width: %d}
                resize: %s
                normalization: %s
                output: {name: logit, activation: sigmoid, labels: %s}
                score: {label: abnormal}
                operatingPoints: [{name: op, threshold: 0.5}]
                priorityBands: [{from: 0, to: 1, priority: ROUTINE}]
                clinicalUse: false
                """.formatted(channels, height, width, resize, normalization, labels), Path.of("/t/t.yaml"));
    }

    static TensorBuilder builder(int height, int width, String resize) throws Exception {
        return new TensorBuilder(manifest(1, height, width, resize, "{type: range, min: 0, max: 1}"));
    }

    static GrayImage image(int width, int height, int... values) {
        byte[] pixels = new byte[values.length];
        for (int i = 0; i < values.length; i++) pixels[i] = (byte) values[i];
        return new GrayImage(width, height, pixels);
    }

    /** A fraction of full scale as the model sees it: resampled images are rounded to 8 bits, as the stored inputs are. */
    static float level(double fraction) { return Math.round(fraction * 255) / 255f; }

    @Test
    void sameSizeStretchIsThePixelsOverTwoFiftyFive() throws Exception {
        float[] t = builder(2, 3, "stretch").build(image(3, 2, 0, 51, 102, 153, 204, 255));
        assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f}, t, EPS);
    }

    @Test
    void stretchUpscalesBilinearlyWithPixelCentres() throws Exception {
        float[] t = builder(1, 4, "stretch").build(image(2, 1, 0, 255));
        assertArrayEquals(new float[] {0f, level(0.25), level(0.75), 1f}, t, EPS);
    }

    @Test
    void stretchDownscalingAveragesEverySourcePixel() throws Exception {
        assertArrayEquals(new float[] {90 / 255f}, builder(1, 1, "stretch").build(image(2, 2, 0, 100, 200, 60)), EPS);
        // 4 → 1 must see all four pixels, not just the two nearest the centre: triangle weights 5:7:7:5.
        assertArrayEquals(new float[] {level((7 + 7) / 24.0)},
                builder(1, 1, "stretch").build(image(4, 1, 0, 255, 255, 0)), EPS);
        assertArrayEquals(new float[] {level((5 + 5) / 24.0)}, builder(1, 1, "stretch").build(image(4, 1, 255, 0, 0, 255)), EPS);
    }

    @Test
    void stretchChangesAspectToFillTheInput() throws Exception {
        TensorBuilder b = builder(4, 4, "stretch");
        float[] t = b.build(DemoModelTest.uniform(8, 2, 255));
        assertEquals(16, t.length);
        for (float v : t) assertEquals(1f, v, EPS);
    }

    @Test
    void letterboxKeepsAspectAndPadsWithBlack() throws Exception {
        // 4×2 into 8×8: scaled ×2 to 8×4, centred vertically: rows 2..5 are image, the rest padding.
        TensorBuilder b = new TensorBuilder(manifest(1, 8, 8, "letterbox", "{type: range, min: -1, max: 1}"));
        float[] t = b.build(DemoModelTest.uniform(4, 2, 255));
        assertEquals(64, t.length);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(y >= 2 && y < 6 ? 1f : -1f, t[y * 8 + x], EPS, "at " + x + "," + y);
            }
        }
        // Portrait: 1×3 into 3×3 leaves columns 0 and 2 as padding.
        float[] p = builder(3, 3, "letterbox").build(image(1, 3, 51, 51, 51));
        assertArrayEquals(new float[] {0, 0.2f, 0, 0, 0.2f, 0, 0, 0.2f, 0}, p, EPS);
    }

    @Test
    void centerCropScalesShortestSideAndCutsTheOverhang() throws Exception {
        // 6×2, bright only in the middle third; into 2×2 the crop is exactly that third.
        GrayImage middleBright = image(6, 2, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0);
        assertArrayEquals(new float[] {1, 1, 1, 1}, builder(2, 2, "center-crop").build(middleBright), EPS);
        float[] stretched = builder(2, 2, "stretch").build(middleBright);
        assertEquals(0.5f, stretched[0], 0.2f, "stretch keeps the dark sides, unlike the crop");
        // Tall image: rows are cut, top and bottom equally.
        GrayImage tall = image(1, 3, 0, 255, 0);
        assertArrayEquals(new float[] {1}, builder(1, 1, "center-crop").build(tall), EPS);
    }

    @Test
    void rangeNormalisationMapsZeroAndFullScaleToMinAndMax() throws Exception {
        TensorBuilder b = new TensorBuilder(manifest(1, 1, 3, "stretch", "{type: range, min: -2, max: 3}"));
        assertArrayEquals(new float[] {-2f, -1f, 3f}, b.build(image(3, 1, 0, 51, 255)), EPS);
    }

    @Test
    void meanStdIsPerChannelAndTheGrayValueFillsEveryChannel() throws Exception {
        TensorBuilder b = new TensorBuilder(manifest(3, 1, 2, "stretch",
                "{type: meanStd, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}"));
        float[] t = b.build(image(2, 1, 0, 255));
        assertEquals(6, t.length);
        double[] mean = {0.485, 0.456, 0.406}, std = {0.229, 0.224, 0.225};
        for (int c = 0; c < 3; c++) {
            assertEquals((0 - mean[c]) / std[c], t[c * 2], 1e-5, "channel " + c + " black");
            assertEquals((1 - mean[c]) / std[c], t[c * 2 + 1], 1e-5, "channel " + c + " white");
        }
    }

    @Test
    void writePlacesEachImageAtItsOffsetAndRefusesToOverrun() throws Exception {
        TensorBuilder b = builder(1, 2, "stretch");
        float[] batch = new float[6];
        b.write(image(2, 1, 255, 255), batch, 2);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, batch, EPS);
        assertThrows(IllegalArgumentException.class, () -> b.write(image(2, 1, 1, 1), batch, 5));
    }

    @Test
    void realSizedImageBuildsAFullTensorInRange() throws Exception {
        TensorBuilder b = new TensorBuilder(manifest(3, 224, 224, "letterbox", "{type: range, min: 0, max: 1}"));
        byte[] pixels = new byte[1024 * 853];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 31);
        float[] t = b.build(new GrayImage(1024, 853, pixels));
        assertEquals(3 * 224 * 224, t.length);
        for (float v : t) if (!(v >= 0f && v <= 1f)) throw new AssertionError("value out of range: " + v);
    }

    @Test
    void pngDecodesGrayExactlyAndColourAsLuma() throws Exception {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {0, 1, 127, 128, 254, 255});
        GrayImage decoded = GrayImage.decodePng(png(gray));
        assertEquals(3, decoded.width());
        assertEquals(2, decoded.height());
        assertArrayEquals(new byte[] {0, 1, 127, (byte) 128, (byte) 254, (byte) 255}, decoded.pixels());

        BufferedImage sixteen = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        sixteen.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {65535, 32896});
        assertArrayEquals(new byte[] {(byte) 255, (byte) 128}, GrayImage.decodePng(png(sixteen)).pixels());

        BufferedImage colour = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        colour.setRGB(0, 0, 0xFF0000);
        colour.setRGB(1, 0, 0xFFFFFF);
        assertArrayEquals(new byte[] {76, (byte) 255}, GrayImage.decodePng(png(colour)).pixels());

        assertThrows(IOException.class, () -> GrayImage.decodePng(new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0}));
    }

    @Test
    void imageWithWrongPixelCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GrayImage(3, 3, new byte[8]));
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
