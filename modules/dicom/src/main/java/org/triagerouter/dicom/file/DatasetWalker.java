package org.triagerouter.dicom.file;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.triagerouter.dicom.Uids;

/**
 * Walks a data set's element structure without reading values (PS3.5 7.1, 7.5): every element header
 * must be well formed, tags ascending, every value inside the file. This is what tells a complete
 * instance from one cut short in its pixel data, which a header parse that stops before Pixel Data cannot.
 */
final class DatasetWalker {
    private static final Set<String> LONG_LENGTH_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UR", "UT", "UN", "SV", "UV");
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_DELIMITER = 0xFFFEE00D;
    private static final int SEQUENCE_DELIMITER = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int MAX_DEPTH = 32;

    private final Source in;
    private final boolean bigEndian;

    private DatasetWalker(Source in, boolean bigEndian) {
        this.in = in;
        this.bigEndian = bigEndian;
    }

    static boolean hasLongLength(String vr) { return LONG_LENGTH_VRS.contains(vr); }

    /** Checks the data set that starts at {@code offset} in {@code file}, encoded in {@code transferSyntaxUid}. */
    static void checkComplete(Path file, long offset, String transferSyntaxUid) throws IOException {
        long size = Files.size(file);
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(offset);
            Source source;
            if (Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntaxUid)) {
                source = new Source(new BufferedInputStream(new InflaterInputStream(raw, new Inflater(true), 65536), 65536), -1);
            } else {
                source = new Source(new BufferedInputStream(raw, 16384), size - offset);
            }
            boolean explicit = !Uids.IMPLICIT_VR_LE.equals(transferSyntaxUid);
            new DatasetWalker(source, Uids.EXPLICIT_VR_BE.equals(transferSyntaxUid)).walkDataset(explicit, -1, true, 0);
            if (source.size >= 0 && source.position != source.size) {
                throw new InvalidDatasetException("data set is " + (source.size - source.position) + " bytes shorter than its elements declare", true);
            }
        } catch (EOFException e) {
            throw new InvalidDatasetException("data set ends inside an element", true);
        } catch (java.util.zip.ZipException e) {
            throw new InvalidDatasetException("deflated data set is corrupt: " + e.getMessage(), false);
        }
    }

    /** Walks elements until the end of the source (top level), {@code end}, or an item delimiter. */
    private void walkDataset(boolean explicit, long end, boolean topLevel, int depth) throws IOException {
        if (depth > MAX_DEPTH) throw new InvalidDatasetException("sequences nested deeper than " + MAX_DEPTH, false);
        long previousTag = -1;
        while (true) {
            if (end >= 0 && in.position == end) return;
            if (end >= 0 && in.position > end) throw new InvalidDatasetException("an element overruns its item", false);
            if (topLevel && in.atEnd()) return;
            int tag = readTag();
            if (tag == ITEM_DELIMITER) {
                readLength32();
                if (end < 0 && !topLevel) return;
                throw new InvalidDatasetException("item delimiter outside an undefined-length item", false);
            }
            if ((tag >>> 16) == 0xFFFE) throw new InvalidDatasetException(String.format("unexpected delimitation tag %08X", tag), false);
            long unsignedTag = tag & 0xFFFFFFFFL;
            if (unsignedTag <= previousTag) throw new InvalidDatasetException(String.format("element %08X out of order", tag), false);
            previousTag = unsignedTag;
            String vr = null;
            long length;
            if (explicit) {
                vr = readVr(tag);
                length = hasLongLength(vr) ? readLength16Reserved() : readLength16();
            } else {
                length = readLength32();
            }
            if (length == UNDEFINED) {
                if (vr != null && !vr.equals("SQ") && !vr.equals("UN") && !(tag == 0x7FE00010 && vr.equals("OB"))) {
                    throw new InvalidDatasetException(String.format("element %08X of VR %s has undefined length", tag, vr), false);
                }
                // UN of undefined length holds a sequence encoded in Implicit VR Little Endian (PS3.5 6.2.2).
                boolean itemsExplicit = explicit && !"UN".equals(vr);
                walkItems(itemsExplicit, depth + 1);
            } else {
                if ((length & 1) != 0) throw new InvalidDatasetException(String.format("element %08X has odd length %d", tag, length), false);
                in.skip(length);
            }
        }
    }

    private void walkItems(boolean explicit, int depth) throws IOException {
        while (true) {
            int tag = readTag();
            long length = readLength32();
            if (tag == SEQUENCE_DELIMITER) return;
            if (tag != ITEM) throw new InvalidDatasetException(String.format("expected an item, found %08X", tag), false);
            if (length == UNDEFINED) {
                walkDataset(explicit, -1, false, depth);
            } else {
                in.skip(length);
            }
        }
    }

    private int readTag() throws IOException {
        int group = readU16();
        int element = readU16();
        return group << 16 | element;
    }

    private String readVr(int tag) throws IOException {
        int a = in.read(), b = in.read();
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') {
            throw new InvalidDatasetException(String.format("element %08X has no valid VR", tag), false);
        }
        return new String(new char[] {(char) a, (char) b});
    }

    private long readLength16() throws IOException { return readU16(); }

    private long readLength16Reserved() throws IOException {
        readU16();
        return readLength32();
    }

    private long readLength32() throws IOException {
        long a = readU16(), b = readU16();
        return bigEndian ? (a << 16 | b) : (b << 16 | a);
    }

    private int readU16() throws IOException {
        int a = in.read(), b = in.read();
        return bigEndian ? (a << 8 | b) : (b << 8 | a);
    }

    /** A byte source that knows its position, and its size when it is a plain file. */
    private static final class Source {
        private final InputStream in;
        private final long size;
        private long position;

        Source(InputStream in, long size) {
            this.in = in;
            this.size = size;
        }

        int read() throws IOException {
            int b = in.read();
            if (b < 0) throw new EOFException();
            position++;
            return b;
        }

        void skip(long n) throws IOException {
            if (size >= 0) {
                if (position + n > size) throw new EOFException();
                in.skipNBytes(n);
            } else {
                in.skipNBytes(n);
            }
            position += n;
        }

        boolean atEnd() throws IOException {
            if (size >= 0) return position >= size;
            in.mark(1);
            boolean end = in.read() < 0;
            in.reset();
            return end;
        }
    }
}
