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
    /** Compressed bytes per IDAT chunk. */
    private static final int CHUNK = 64 * 1024;

    /** Encodes the image as a grayscale PNG (bit depth 8, no interlace). */
    public static byte[] encode(Gray8Image image) {
        int width = image.width(), height = image.height();
        byte[] pixels = image.pixels();
        ChunkedOutput out = new ChunkedOutput();
        out.write(SIGNATURE, 0, SIGNATURE.length);
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        out.chunk("IHDR", header.array(), 13);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        // After the Up filter a radiograph is small differences (noise): repeats are rare, entropy coding is what pays.
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        try {
            byte[] line = new byte[width + 1];
            byte[] compressed = new byte[CHUNK];
            int filled = 0;
            for (int y = 0; y <= height; y++) {
                if (y < height) {
                    line[0] = FILTER_UP;
                    int row = y * width;
                    if (y == 0) {
                        System.arraycopy(pixels, 0, line, 1, width);
                    } else {
                        for (int x = 0; x < width; x++) line[x + 1] = (byte) (pixels[row + x] - pixels[row - width + x]);
                    }
                    deflater.setInput(line, 0, width + 1);
                } else {
                    deflater.finish();
                }
                while (y == height ? !deflater.finished() : !deflater.needsInput()) {
                    filled += deflater.deflate(compressed, filled, CHUNK - filled);
                    if (filled == CHUNK) {
                        out.chunk("IDAT", compressed, filled);
                        filled = 0;
                    }
                }
            }
            if (filled > 0) out.chunk("IDAT", compressed, filled);
        } finally {
            deflater.end(); // native memory, not worth waiting for the GC
        }
        out.chunk("IEND", new byte[0], 0);
        return out.toByteArray();
    }

    /** Bytes gathered in blocks and joined once at the end: no doubling copies of a growing array. */
    private static final class ChunkedOutput {
        private final List<byte[]> blocks = new ArrayList<>();
        private byte[] current = new byte[CHUNK];
        private int used, total;

        void write(byte[] bytes, int offset, int length) {
            while (length > 0) {
                if (used == current.length) {
                    blocks.add(current);
                    current = new byte[CHUNK];
                    used = 0;
                }
                int n = Math.min(length, current.length - used);
                System.arraycopy(bytes, offset, current, used, n);
                used += n;
                offset += n;
                length -= n;
                total += n;
            }
        }

        void chunk(String type, byte[] data, int length) {
            byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
            byte[] field = new byte[4];
            ByteBuffer.wrap(field).putInt(length);
            write(field, 0, 4);
            write(typeBytes, 0, 4);
            write(data, 0, length);
            CRC32 crc = new CRC32();
            crc.update(typeBytes);
            crc.update(data, 0, length);
            ByteBuffer.wrap(field).putInt((int) crc.getValue());
            write(field, 0, 4);
        }

        byte[] toByteArray() {
            byte[] all = new byte[total];
            int at = 0;
            for (byte[] block : blocks) {
                System.arraycopy(block, 0, all, at, block.length);
                at += block.length;
            }
            System.arraycopy(current, 0, all, at, used);
            return all;
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
