package org.triagerouter.dicom.pixels;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of encapsulated pixel data (PS3.5 A.4) as one stream: the fragments' values one after the other,
 * the Basic Offset Table skipped. A frame's codestream ends by itself (a JPEG EOI), so reading the first frame
 * needs no offsets.
 */
final class FragmentStream extends InputStream {
    private static final int ITEM = 0xFFFEE000;
    private static final int SEQUENCE_DELIMITER = 0xFFFEE0DD;

    private final InputStream in;
    private final byte[] header = new byte[8];
    private long remaining;
    private boolean ended;

    /** {@code in} is positioned at the first item (the Basic Offset Table). */
    FragmentStream(InputStream in) throws IOException {
        this.in = in;
        if (nextItem()) in.skipNBytes(remaining);
        remaining = 0;
    }

    private boolean nextItem() throws IOException {
        if (in.readNBytes(header, 0, 8) < 8) throw new EOFException("pixel data ends without a sequence delimiter");
        int tag = (header[1] & 0xFF) << 24 | (header[0] & 0xFF) << 16 | (header[3] & 0xFF) << 8 | (header[2] & 0xFF);
        long length = (header[4] & 0xFFL) | (header[5] & 0xFFL) << 8 | (header[6] & 0xFFL) << 16 | (header[7] & 0xFFL) << 24;
        if (tag == SEQUENCE_DELIMITER) {
            ended = true;
            return false;
        }
        if (tag != ITEM) throw new IOException(String.format("expected a pixel data item, found %08X", tag));
        remaining = length;
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (remaining == 0) {
            if (ended || !nextItem()) return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw new EOFException("pixel data ends inside a fragment");
        remaining -= n;
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
