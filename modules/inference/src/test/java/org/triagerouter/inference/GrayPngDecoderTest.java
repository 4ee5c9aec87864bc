package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The fast PNG path must give exactly what ImageIO gives, and step aside for PNGs it does not handle. */
class GrayPngDecoderTest {
    @Test
    void decodesGrayPngsExactlyAsImageIoDoes() throws Exception {
        Random random = new Random(7);
        for (int[] size : new int[][] {{1, 1}, {3, 5}, {64, 48}, {839, 1024}}) {
            byte[] pixels = new byte[size[0] * size[1]];
            // Smooth ramps plus noise: ImageIO's adaptive filtering then uses every filter type.
            for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) ((i % size[0]) * 3 + (i / size[0]) + random.nextInt(9));
            byte[] png = png(size[0], size[1], pixels, BufferedImage.TYPE_BYTE_GRAY);
            GrayImage fast = GrayPngDecoder.decode(png);
            BufferedImage reference = ImageIO.read(new java.io.ByteArrayInputStream(png));
            byte[] expected = new byte[pixels.length];
            reference.getRaster().getDataElements(0, 0, size[0], size[1], expected);
            assertEquals(size[0], fast.width());
            assertArrayEquals(expected, fast.pixels(), size[0] + "x" + size[1]);
            assertArrayEquals(pixels, fast.pixels());
        }
    }

    @Test
    void otherPngKindsAreLeftToImageIo() throws Exception {
        byte[] rgb = png(4, 4, null, BufferedImage.TYPE_INT_RGB);
        assertNull(GrayPngDecoder.decode(rgb));
        assertEquals(4, GrayImage.decodePng(rgb).width(), "the general path still decodes it");
    }

    @Test
    void truncatedImageDataIsAnError() throws Exception {
        byte[] png = png(64, 64, new byte[64 * 64], BufferedImage.TYPE_BYTE_GRAY);
        byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
        assertThrows(java.io.IOException.class, () -> GrayPngDecoder.decode(cut));
    }

    private static byte[] png(int width, int height, byte[] pixels, int type) throws Exception {
        BufferedImage image = new BufferedImage(width, height, type);
        if (pixels != null) image.getRaster().setDataElements(0, 0, width, height, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
