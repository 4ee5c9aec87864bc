package org.triagerouter.inference;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A fast path for the canonical images' own PNG flavour: 8-bit grayscale, not interlaced. Skips
 * ImageIO's general machinery (three times slower here), which stays the fallback for anything else:
 * decoding sits on the infer stage's hot path, once per image per batch.
 */
final class GrayPngDecoder {
    private GrayPngDecoder() {}

    /** The image, or null when the PNG is of another kind (the caller then uses ImageIO). */
    static GrayImage decode(byte[] png) throws java.io.IOException {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(8);
        int width = 0, height = 0;
        Inflater inflater = new Inflater();
        byte[] raw = null;
        int produced = 0;
        try {
            while (in.remaining() >= 12) {
                int length = in.getInt();
                int type = in.getInt();
                if (length < 0 || length > in.remaining() - 4) throw new java.io.IOException("PNG chunk overruns the data");
                if (type == 0x49484452) { // IHDR
                    width = in.getInt();
                    height = in.getInt();
                    int bitDepth = in.get() & 0xFF, colorType = in.get() & 0xFF;
                    in.get();
                    in.get();
                    int interlace = in.get() & 0xFF;
                    if (bitDepth != 8 || colorType != 0 || interlace != 0 || width < 1 || height < 1
                            || (long) (width + 1) * height > Integer.MAX_VALUE) {
                        return null;
                    }
                    raw = new byte[(width + 1) * height];
                } else if (type == 0x49444154) { // IDAT
                    if (raw == null) return null;
                    inflater.setInput(png, in.position(), length);
                    while (!inflater.needsInput() && !inflater.finished() && produced < raw.length) {
                        if (inflater.needsDictionary()) throw new java.io.IOException("PNG image data needs a preset dictionary");
                        produced += inflater.inflate(raw, produced, raw.length - produced);
                    }
                    in.position(in.position() + length);
                } else if (type == 0x49454E44) { // IEND
                    break;
                } else {
                    in.position(in.position() + length);
                }
                in.getInt(); // CRC: zlib's own checksum already guards the image data
            }
        } catch (DataFormatException e) {
            throw new java.io.IOException("PNG image data is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
        if (raw == null || produced != raw.length) throw new java.io.IOException("PNG image data is incomplete");
        return new GrayImage(width, height, unfilter(raw, width, height));
    }

    /** Reverses the per-row filters of PNG (None, Sub, Up, Average, Paeth), one byte per pixel. */
    private static byte[] unfilter(byte[] raw, int width, int height) throws java.io.IOException {
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            int filter = raw[y * (width + 1)];
            int src = y * (width + 1) + 1, dst = y * width, up = dst - width;
            switch (filter) {
                case 0 -> System.arraycopy(raw, src, out, dst, width);
                case 1 -> {
                    out[dst] = raw[src];
                    for (int x = 1; x < width; x++) out[dst + x] = (byte) (raw[src + x] + out[dst + x - 1]);
                }
                case 2 -> {
                    if (y == 0) System.arraycopy(raw, src, out, dst, width);
                    else for (int x = 0; x < width; x++) out[dst + x] = (byte) (raw[src + x] + out[up + x]);
                }
                case 3 -> {
                    for (int x = 0; x < width; x++) {
                        int left = x > 0 ? out[dst + x - 1] & 0xFF : 0, above = y > 0 ? out[up + x] & 0xFF : 0;
                        out[dst + x] = (byte) (raw[src + x] + ((left + above) >>> 1));
                    }
                }
                case 4 -> {
                    for (int x = 0; x < width; x++) {
                        int a = x > 0 ? out[dst + x - 1] & 0xFF : 0;
                        int b = y > 0 ? out[up + x] & 0xFF : 0;
                        int c = x > 0 && y > 0 ? out[up + x - 1] & 0xFF : 0;
                        int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
                        int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                        out[dst + x] = (byte) (raw[src + x] + predictor);
                    }
                }
                default -> throw new java.io.IOException("PNG row " + y + " has unknown filter type " + filter);
            }
        }
        return out;
    }
}
