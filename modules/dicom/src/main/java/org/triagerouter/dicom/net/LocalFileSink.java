package org.triagerouter.dicom.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.UncachedFileOutput;

/**
 * Where a received data set is streamed: a Part 10 file. The first write failure (disk full, I/O
 * error) is remembered and every later byte discarded, so the association can finish reading the
 * data set and answer 0xA700 instead of breaking off.
 */
final class LocalFileSink extends OutputStream {
    private OutputStream out;
    private IOException failure;

    LocalFileSink(Path file, int bufferSize) {
        try {
            out = UncachedFileOutput.open(file, bufferSize);
        } catch (IOException e) {
            failure = e;
        }
    }

    void writeMetaGroup(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) {
        if (failure != null) return;
        try {
            Part10.writeMetaGroup(out, sopClassUid, sopInstanceUid, transferSyntaxUid, sourceAeTitle);
        } catch (IOException e) {
            failure = e;
        }
    }

    IOException failure() { return failure; }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (failure != null) return;
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) failure = e;
        }
        out = null;
    }
}
