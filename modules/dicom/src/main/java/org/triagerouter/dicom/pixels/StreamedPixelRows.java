package org.triagerouter.dicom.pixels;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.triagerouter.dicom.file.UncachedFileInput;

/**
 * Rows of native (uncompressed) pixel data read from the Part 10 file through one small buffer: the frame is
 * never held in memory, whole or decoded. Deflated data sets are inflated on the way.
 */
final class StreamedPixelRows implements PixelRows {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Where the values are: a file offset, or for a deflated data set an offset in the inflated data set after {@code dataSetOffset}. */
    record Source(Path file, long position, long dataSetOffset, boolean deflated, boolean bigEndian) {}

    private final Source source;
    private final int width, bytesPerSample, rowBytes;
    private final byte[] buffer;
    private final ByteBuffer view;
    private int start, end;
    private ReadableByteChannel channel;
    private Inflater inflater;

    StreamedPixelRows(Source source, int width, int bitsAllocated) throws IOException {
        this.source = source;
        this.width = width;
        this.bytesPerSample = bitsAllocated / 8;
        this.rowBytes = width * bytesPerSample;
        this.buffer = new byte[Math.max(BUFFER_BYTES, rowBytes)];
        this.view = ByteBuffer.wrap(buffer);
        open();
    }

    private void open() throws IOException {
        start = end = 0;
        if (!source.deflated()) {
            channel = UncachedFileInput.open(source.file(), source.position()); // read once: not worth a place in the page cache
            return;
        }
        InputStream raw = Files.newInputStream(source.file());
        try {
            raw.skipNBytes(source.dataSetOffset());
            inflater = new Inflater(true);
            InputStream inflated = new InflaterInputStream(raw, inflater, 16 * 1024);
            inflated.skipNBytes(source.position());
            channel = Channels.newChannel(inflated);
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (inflater != null) {
                inflater.end(); // native memory, not worth waiting for the GC
                inflater = null;
            }
            throw e;
        }
    }

    @Override
    public void next(int[] row) throws IOException {
        fill();
        int p = start;
        byte[] b = buffer;
        switch (bytesPerSample) {
            case 1 -> {
                for (int x = 0; x < width; x++) row[x] = b[p + x] & 0xFF;
            }
            case 2 -> {
                if (source.bigEndian()) {
                    for (int x = 0; x < width; x++) row[x] = (short) SHORT_BE.get(b, p + 2 * x) & 0xFFFF;
                } else {
                    for (int x = 0; x < width; x++) row[x] = (short) SHORT_LE.get(b, p + 2 * x) & 0xFFFF;
                }
            }
            default -> {
                if (source.bigEndian()) {
                    for (int x = 0; x < width; x++) row[x] = (int) INT_BE.get(b, p + 4 * x);
                } else {
                    for (int x = 0; x < width; x++) row[x] = (int) INT_LE.get(b, p + 4 * x);
                }
            }
        }
        start += rowBytes;
    }

    /** Makes at least one row's bytes available from {@code start}. */
    private void fill() throws IOException {
        if (end - start >= rowBytes) return;
        System.arraycopy(buffer, start, buffer, 0, end - start);
        end -= start;
        start = 0;
        while (end < rowBytes) {
            view.limit(buffer.length).position(end);
            int n = channel.read(view);
            if (n < 0) throw new EOFException("pixel data ends before the last row");
            end += n;
        }
    }

    @Override
    public void rewind() throws IOException {
        close();
        open();
    }

    @Override
    public void close() throws IOException {
        try {
            if (channel != null) channel.close();
        } finally {
            channel = null;
            if (inflater != null) inflater.end(); // native memory, not worth waiting for the GC
            inflater = null;
        }
    }
}
