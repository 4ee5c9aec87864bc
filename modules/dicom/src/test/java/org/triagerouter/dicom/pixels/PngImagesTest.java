package org.triagerouter.dicom.pixels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngImagesTest {
    @Test
    void encodedCanonicalImageDecodesToTheSamePixelsElsewhere() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {839, 1024}, {37, 5}, {70_000, 2}}) {
            int width = size[0], height = size[1];
            byte[] pixels = new byte[width * height];
            Random random = new Random(width);
            // Noise over a ramp, and a flat band (collimation): both kinds of content a radiograph has.
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) pixels[y * width + x] = (byte) (x < width / 5 ? 0 : (x + y) / 8 + random.nextInt(5));
            }
            byte[] png = PngImages.encode(new Gray8Image(width, height, pixels, width, height, 0, 0, "test"));
            BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, read.getType());
            int[] samples = read.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
            byte[] decoded = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) decoded[i] = (byte) samples[i];
            assertArrayEquals(pixels, decoded, width + " x " + height);
            if (height > 100) assertTrue(png.length < pixels.length / 2, "compressed: " + png.length + " of " + pixels.length);
        }
    }
}
