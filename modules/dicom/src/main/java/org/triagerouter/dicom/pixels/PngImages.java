package org.triagerouter.dicom.pixels;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * The canonical image as stored: an 8-bit grayscale PNG. Written here with one fixed row filter and Huffman
 * coding only; ImageIO's writer tries every filter on every row and searches for repeats, which on a radiograph's
 * noise costs several times the time for a larger file. Read back into a {@link Gray8Image}, e.g. for the result image.
 */
public final class PngImages {
    private PngImages() {}

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** PNG filter type 2, "Up": each byte minus the one above; X-ray images are smooth top to bottom. */
    private static final int FILTER_UP = 2;

    /** Encodes the image as a grayscale PNG (bit depth 8, no interlace, one IDAT chunk). */
    public static byte[] encode(Gray8Image image) {
        int width = image.width(), height = image.height();
        byte[] pixels = image.pixels();
        Blocks zlib = new Blocks();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        // After the Up filter a radiograph is small differences (noise): repeats are rare, entropy coding is what pays.
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        try {
            byte[] line = new byte[width + 1];
            line[0] = FILTER_UP;
            for (int y = 0; y < height; y++) {
                int row = y * width;
                if (y == 0) {
                    System.arraycopy(pixels, 0, line, 1, width);
                } else {
                    for (int x = 0; x < width; x++) line[x + 1] = (byte) (pixels[row + x] - pixels[row - width + x]);
                }
                deflater.setInput(line, 0, width + 1);
                while (!deflater.needsInput()) zlib.deflateFrom(deflater);
            }
            deflater.finish();
            while (!deflater.finished()) zlib.deflateFrom(deflater);
        } finally {
            deflater.end(); // native memory, not worth waiting for the GC
        }
        int length = SIGNATURE.length + 12 + 13 + 12 + zlib.size() + 12;
        ByteBuffer png = ByteBuffer.allocate(length);
        png.put(SIGNATURE);
        int ihdr = png.position();
        png.putInt(13).put(ascii("IHDR")).putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        png.putInt(crc(png.array(), ihdr + 4, png.position()));
        int idat = png.position();
        png.putInt(zlib.size()).put(ascii("IDAT"));
        zlib.copyTo(png);
        png.putInt(crc(png.array(), idat + 4, png.position()));
        int iend = png.position();
        png.putInt(0).put(ascii("IEND"));
        png.putInt(crc(png.array(), iend + 4, png.position()));
        return png.array();
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private static int crc(byte[] bytes, int from, int to) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    /** Compressed bytes in small blocks, copied once into the PNG: no doubling copies of a growing array. */
    private static final class Blocks {
        private static final int BLOCK = 16 * 1024;
        private final List<byte[]> full = new ArrayList<>();
        private byte[] current = new byte[BLOCK];
        private int used;

        void deflateFrom(Deflater deflater) {
            if (used == BLOCK) {
                full.add(current);
                current = new byte[BLOCK];
                used = 0;
            }
            used += deflater.deflate(current, used, BLOCK - used);
        }

        int size() { return full.size() * BLOCK + used; }

        void copyTo(ByteBuffer out) {
            for (byte[] block : full) out.put(block);
            out.put(current, 0, used);
        }
    }

    public static Gray8Image decode(byte[] png) throws IOException {
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
        if (read == null) throw new IOException("not a PNG image");
        BufferedImage gray = read;
        if (read.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            gray = new BufferedImage(read.getWidth(), read.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            gray.getGraphics().drawImage(read, 0, 0, null);
        }
        byte[] pixels = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        return new Gray8Image(gray.getWidth(), gray.getHeight(), pixels.clone(), gray.getWidth(), gray.getHeight(), Double.NaN, Double.NaN, "png");
    }
}
