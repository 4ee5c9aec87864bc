package org.triagerouter.dicom.pixels;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Rows of a lossless JPEG (ITU-T T.81 process 14, Huffman, one component, predictors 1-7, any point transform)
 * decoded as they are read: two rows of state, never the whole frame. Codestreams outside that subset
 * (several components or scans, restart intervals, arithmetic coding) are refused with {@link Unsupported} and
 * left to PixelMed's codecs; so is anything this decoder finds malformed.
 */
final class JpegLosslessRows implements PixelRows {
    /** A codestream this decoder leaves to the general codecs. */
    static final class Unsupported extends IOException {
        Unsupported(String message) { super(message); }
    }

    private static final int LOOKUP_BITS = 9;

    /** Opens the codestream at its start. */
    interface Opener {
        InputStream open() throws IOException;
    }

    private final Opener opener;
    private InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position, limit;

    private int width, height, precision, predictor, pointTransform;
    private final HuffmanTable[] tables = new HuffmanTable[4];
    private HuffmanTable table;

    private int[] previous, current;
    private int row;
    private long bits;
    private int bitCount;
    private boolean markerReached;
    private long paddingBytes;

    /** {@code opener} gives the codestream from its start each time (a rewind opens it again). */
    JpegLosslessRows(Opener opener) throws IOException {
        this.opener = opener;
        open();
    }

    int width() { return width; }

    int height() { return height; }

    private void open() throws IOException {
        in = opener.open();
        position = limit = 0;
        bits = 0;
        bitCount = 0;
        markerReached = false;
        paddingBytes = 0;
        row = 0;
        try {
            readHeaders();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e instanceof Unsupported u ? u : new Unsupported("malformed codestream: " + e.getMessage());
        }
        previous = new int[width];
        current = new int[width];
    }

    /** Markers from SOI to the first SOS. */
    private void readHeaders() throws IOException {
        if (readByte() != 0xFF || readByte() != 0xD8) throw new Unsupported("no SOI marker");
        boolean frame = false;
        while (true) {
            int marker = nextMarker();
            int length = readU16() - 2;
            if (length < 0) throw new Unsupported("bad marker length");
            switch (marker) {
                case 0xC3 -> {
                    precision = readByte();
                    height = readU16();
                    width = readU16();
                    int components = readByte();
                    if (components != 1) throw new Unsupported(components + " components");
                    skip(length - 6);
                    if (precision < 2 || precision > 16 || width == 0 || height == 0) throw new Unsupported("frame " + width + "x" + height + " P=" + precision);
                    frame = true;
                }
                case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                        throw new Unsupported(String.format("not a lossless Huffman frame (SOF %02X)", marker));
                case 0xC4 -> readHuffmanTables(length);
                case 0xDD -> {
                    if (readU16() != 0) throw new Unsupported("restart intervals");
                    skip(length - 2);
                }
                case 0xDA -> {
                    if (!frame) throw new Unsupported("SOS before the frame header");
                    int components = readByte();
                    if (components != 1) throw new Unsupported(components + " components in the scan");
                    readByte();
                    int selector = readByte() >> 4;
                    predictor = readByte();
                    readByte();
                    pointTransform = readByte() & 0x0F;
                    skip(length - 6);
                    if (predictor < 1 || predictor > 7) throw new Unsupported("predictor " + predictor);
                    if (pointTransform >= precision) throw new Unsupported("point transform " + pointTransform);
                    table = tables[selector & 3];
                    if (table == null) throw new Unsupported("scan uses an undefined Huffman table");
                    return;
                }
                case 0xD8, 0xD9 -> throw new Unsupported(String.format("marker %02X before the scan", marker));
                default -> skip(length); // APPn, COM, DQT, DNL...
            }
        }
    }

    private void readHuffmanTables(int length) throws IOException {
        while (length > 0) {
            int classAndId = readByte();
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) total += counts[i] = readByte();
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) symbols[i] = readByte();
            length -= 17 + total;
            if ((classAndId >> 4) == 0) tables[classAndId & 3] = new HuffmanTable(counts, symbols);
        }
    }

    private int nextMarker() throws IOException {
        int b = readByte();
        if (b != 0xFF) throw new Unsupported(String.format("expected a marker, found %02X", b));
        while (b == 0xFF) b = readByte();
        return b;
    }

    @Override
    public void next(int[] out) throws IOException {
        if (row >= height) throw new EOFException("read past the last row");
        int[] cur = current, prev = previous;
        int w = width, mask = (1 << (precision - pointTransform)) - 1;
        // The first row predicts from the left (the first sample from the middle of the range), every other row's
        // first sample from above: T.81 H.1.2.1.
        int initial = 1 << (precision - pointTransform - 1);
        if (row == 0) {
            cur[0] = (initial + diff()) & 0xFFFF & mask;
            for (int x = 1; x < w; x++) cur[x] = (cur[x - 1] + diff()) & mask;
        } else {
            cur[0] = (prev[0] + diff()) & mask;
            switch (predictor) {
                case 1 -> { for (int x = 1; x < w; x++) cur[x] = (cur[x - 1] + diff()) & mask; }
                case 2 -> { for (int x = 1; x < w; x++) cur[x] = (prev[x] + diff()) & mask; }
                case 3 -> { for (int x = 1; x < w; x++) cur[x] = (prev[x - 1] + diff()) & mask; }
                case 4 -> { for (int x = 1; x < w; x++) cur[x] = (cur[x - 1] + prev[x] - prev[x - 1] + diff()) & mask; }
                case 5 -> { for (int x = 1; x < w; x++) cur[x] = (cur[x - 1] + ((prev[x] - prev[x - 1]) >> 1) + diff()) & mask; }
                case 6 -> { for (int x = 1; x < w; x++) cur[x] = (prev[x] + ((cur[x - 1] - prev[x - 1]) >> 1) + diff()) & mask; }
                default -> { for (int x = 1; x < w; x++) cur[x] = ((cur[x - 1] + prev[x]) >> 1) + diff() & mask; }
            }
        }
        int shift = pointTransform;
        for (int x = 0; x < w; x++) out[x] = cur[x] << shift;
        current = prev;
        previous = cur;
        row++;
        // Zeros stand in for data after the end marker; a valid scan never needs them.
        if (row == height && bitCount < paddingBytes * 8) throw new EOFException("entropy-coded data ends before the last row");
    }

    /** One Huffman-coded difference (T.81 H.1.2.2: category 16 is 32768 with no extra bits). */
    private int diff() throws IOException {
        if (bitCount < 32) fill();
        HuffmanTable t = table;
        int peek = (int) (bits >>> (bitCount - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1);
        int entry = t.lookup[peek];
        int category;
        if (entry != 0) {
            bitCount -= entry >>> 8;
            category = entry & 0xFF;
        } else {
            category = t.decodeLong(this);
        }
        if (category == 0) return 0;
        if (category == 16) return 32768;
        if (bitCount < category) fill();
        int value = (int) (bits >>> (bitCount - category)) & ((1 << category) - 1);
        bitCount -= category;
        return value < 1 << (category - 1) ? value - (1 << category) + 1 : value;
    }

    /** Tops the bit buffer up to at least 57 bits; after a marker, zeros (the scan has ended). */
    private void fill() throws IOException {
        while (bitCount <= 56) {
            int b;
            if (markerReached) {
                b = 0;
                paddingBytes++;
            } else {
                b = readByte();
                if (b == 0xFF) {
                    int next = readByte();
                    if (next != 0) {
                        markerReached = true; // EOI (or a marker this decoder does not expect): no more entropy-coded bytes
                        b = 0;
                        paddingBytes++;
                    }
                }
            }
            bits = bits << 8 | b;
            bitCount += 8;
        }
    }

    private int readByte() throws IOException {
        if (position == limit) {
            limit = in.read(buffer, 0, buffer.length);
            position = 0;
            if (limit <= 0) {
                limit = 0;
                throw new EOFException("codestream ends early");
            }
        }
        return buffer[position++] & 0xFF;
    }

    private int readU16() throws IOException {
        return readByte() << 8 | readByte();
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) readByte();
    }

    @Override
    public void rewind() throws IOException {
        in.close();
        open();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A DC Huffman table (T.81 C, F.2.2.3): a direct lookup for codes up to {@value LOOKUP_BITS} bits, then canonical decoding. */
    private static final class HuffmanTable {
        final int[] lookup = new int[1 << LOOKUP_BITS];
        final int[] maxCode = new int[18];
        final int[] valueOffset = new int[17];
        final int[] symbols;

        HuffmanTable(int[] counts, int[] symbols) throws Unsupported {
            this.symbols = symbols;
            int code = 0, k = 0;
            for (int length = 1; length <= 16; length++) {
                valueOffset[length] = k - code;
                for (int i = 0; i < counts[length]; i++, k++, code++) {
                    if (symbols[k] > 16) throw new Unsupported("difference category " + symbols[k]);
                    if (length <= LOOKUP_BITS) {
                        int shift = LOOKUP_BITS - length;
                        for (int fill = 0; fill < 1 << shift; fill++) lookup[(code << shift) | fill] = length << 8 | symbols[k];
                    }
                }
                maxCode[length] = counts[length] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }

        /** Codes longer than the lookup: one bit at a time from length {@value LOOKUP_BITS} + 1. */
        int decodeLong(JpegLosslessRows r) throws IOException {
            int length = LOOKUP_BITS;
            int code = (int) (r.bits >>> (r.bitCount - length)) & ((1 << length) - 1);
            while (true) {
                length++;
                if (length > 16) throw new IOException("invalid Huffman code");
                code = code << 1 | (int) (r.bits >>> (r.bitCount - length)) & 1;
                if (maxCode[length] >= 0 && code <= maxCode[length]) {
                    r.bitCount -= length;
                    return symbols[valueOffset[length] + code];
                }
            }
        }
    }
}
