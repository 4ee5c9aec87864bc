package org.triagerouter.inference;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * A canonical 8-bit grayscale image, as the prepare stage stores it: row by row, top to bottom,
 * 0 black to 255 white. The pixel array is used as given, not copied.
 */
public record GrayImage(int width, int height, byte[] pixels) {
    public GrayImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image must be at least 1x1, got " + width + "x" + height);
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException(width + "x" + height + " image needs " + (long) width * height + " pixels, got " + pixels.length);
        }
    }

    /** The pixel at column x, row y, 0..255. */
    public int pixel(int x, int y) { return pixels[y * width + x] & 0xFF; }

    /**
     * Decodes a PNG. Gray PNGs of any bit depth are scaled to 8 bits; colour ones become their luma
     * (Rec. 601), and transparency is ignored.
     */
    public static GrayImage decodePng(byte[] png) throws IOException {
        if (png.length < 8 || (png[0] & 0xFF) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
            throw new IOException("not a PNG: the data does not start with the PNG signature");
        }
        GrayImage fast = GrayPngDecoder.decode(png);
        if (fast != null) return fast;
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null) throw new IOException("PNG could not be decoded");
        int width = image.getWidth(), height = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY
                && image.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferByte data
                && data.getNumBanks() == 1 && data.getData().length == width * height) {
            // The canonical images' own format: the decoded bytes are already the pixels.
            return new GrayImage(width, height, data.getData());
        }
        byte[] pixels = new byte[width * height];
        boolean gray = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(image.getColorModel() instanceof IndexColorModel);
        if (gray) {
            Raster raster = image.getRaster();
            int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) pixels[y * width + x] = (byte) ((row[x] * 255 + max / 2) / max);
            }
        } else {
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    int rgb = row[x];
                    int luma = (299 * ((rgb >> 16) & 0xFF) + 587 * ((rgb >> 8) & 0xFF) + 114 * (rgb & 0xFF) + 500) / 1000;
                    pixels[y * width + x] = (byte) luma;
                }
            }
        }
        return new GrayImage(width, height, pixels);
    }
}
