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

    /** Inflated data sets larger than this are refused: a deflate bomb must not spin a CPU for minutes. */
    static final long MAX_INFLATED_BYTES = 4L << 30;

    private final Source in;
    /** Set when walking only to find the top-level Pixel Data; the walk then ends there. */
    private final boolean stopAtPixelData;
    private PixelDataLocation pixelDataLocation;

    private DatasetWalker(Source in, boolean stopAtPixelData) {
        this.in = in;
        this.stopAtPixelData = stopAtPixelData;
    }

    static boolean hasLongLength(String vr) { return LONG_LENGTH_VRS.contains(vr); }

    /** Checks the data set that starts at {@code offset} in {@code file}, encoded in {@code transferSyntaxUid}. */
    static void checkComplete(Path file, long offset, String transferSyntaxUid) throws IOException {
        long size = Files.size(file);
        Inflater inflater = null;
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(offset);
            Source source;
            if (Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntaxUid)) {
                inflater = new Inflater(true);
                source = new Source(new BufferedInputStream(new InflaterInputStream(raw, inflater, 65536), 65536), -1);
            } else {
                source = new Source(new BufferedInputStream(raw, 16384), size - offset);
            }
            boolean explicit = !Uids.IMPLICIT_VR_LE.equals(transferSyntaxUid);
            new DatasetWalker(source, false).walkDataset(explicit, Uids.EXPLICIT_VR_BE.equals(transferSyntaxUid), -1, true, 0);
            if (source.size >= 0 && source.position != source.size) {
                throw new InvalidDatasetException("data set is " + (source.size - source.position) + " bytes shorter than its elements declare", true);
            }
        } catch (EOFException e) {
            throw new InvalidDatasetException("data set ends inside an element", true);
        } catch (java.util.zip.ZipException e) {
            throw new InvalidDatasetException("deflated data set is corrupt: " + e.getMessage(), false);
        } finally {
            if (inflater != null) inflater.end(); // native memory, not worth waiting for the GC
        }
    }

    /**
     * Where the top-level Pixel Data value starts: a file offset, or for the deflated syntax an offset in the
     * inflated data set. Null when the data set has no Pixel Data.
     */
    static PixelDataLocation locatePixelData(Path file, long offset, String transferSyntaxUid) throws IOException {
        Inflater inflater = null;
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(offset);
            Source source;
            boolean deflated = Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntaxUid);
            if (deflated) {
                inflater = new Inflater(true);
                source = new Source(new BufferedInputStream(new InflaterInputStream(raw, inflater, 8192), 8192), -1);
            } else {
                source = new Source(new BufferedInputStream(raw, 8192), Files.size(file) - offset);
            }
            DatasetWalker walker = new DatasetWalker(source, true);
            walker.walkDataset(!Uids.IMPLICIT_VR_LE.equals(transferSyntaxUid), Uids.EXPLICIT_VR_BE.equals(transferSyntaxUid), -1, true, 0);
            PixelDataLocation found = walker.pixelDataLocation;
            return found == null || deflated ? found : new PixelDataLocation(offset + found.position(), found.length(), found.vr());
        } catch (EOFException e) {
            throw new InvalidDatasetException("data set ends inside an element", true);
        } catch (java.util.zip.ZipException e) {
            throw new InvalidDatasetException("deflated data set is corrupt: " + e.getMessage(), false);
        } finally {
            if (inflater != null) inflater.end();
        }
    }

    /**
     * Walks elements until the end of the source (top level), position {@code end} (a defined-length
     * item or sequence), or an item delimiter (an undefined-length item).
     */
    private void walkDataset(boolean explicit, boolean bigEndian, long end, boolean topLevel, int depth) throws IOException {
        if (depth > MAX_DEPTH) throw new InvalidDatasetException("sequences nested deeper than " + MAX_DEPTH, false);
        long previousTag = -1;
        while (true) {
            if (end >= 0 && in.position == end) return;
            if (end >= 0 && in.position > end) throw new InvalidDatasetException("an element overruns its item", false);
            if (topLevel && in.atEnd()) return;
            int tag = readTag(bigEndian);
            if (tag == ITEM_DELIMITER) {
                readLength32(bigEndian);
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
                length = hasLongLength(vr) ? readLength16Reserved(bigEndian) : readU16(bigEndian);
            } else {
                length = readLength32(bigEndian);
            }
            boolean pixelData = tag == 0x7FE00010;
            if (pixelData && topLevel && stopAtPixelData) {
                pixelDataLocation = new PixelDataLocation(in.position, length, vr);
                return;
            }
            if (length == UNDEFINED) {
                if (vr != null && !vr.equals("SQ") && !vr.equals("UN") && !(pixelData && vr.equals("OB"))) {
                    throw new InvalidDatasetException(String.format("element %08X of VR %s has undefined length", tag, vr), false);
                }
                // UN of undefined length holds a sequence in Implicit VR Little Endian, whatever the syntax (PS3.5 6.2.2).
                boolean un = "UN".equals(vr);
                walkItems(explicit && !un, bigEndian && !un, -1, pixelData, depth + 1);
            } else if ("SQ".equals(vr)) {
                walkItems(true, bigEndian, in.position + length, false, depth + 1);
            } else {
                // Odd lengths break PS3.5 7.1.1 but real devices send them; structure, not style, is checked here.
                in.skip(length);
            }
        }
    }

    /**
     * Walks the items of a sequence (or the fragments of encapsulated pixel data) up to a sequence
     * delimiter ({@code end} &lt; 0) or to {@code end}. Items of defined length are walked inside too,
     * so an element overrunning its item is caught; pixel data fragments are opaque.
     */
    private void walkItems(boolean explicit, boolean bigEndian, long end, boolean fragments, int depth) throws IOException {
        while (true) {
            if (end >= 0 && in.position == end) return;
            if (end >= 0 && in.position > end) throw new InvalidDatasetException("an item overruns its sequence", false);
            int tag = readTag(bigEndian);
            long length = readLength32(bigEndian);
            if (tag == SEQUENCE_DELIMITER && end < 0) return;
            if (tag != ITEM) throw new InvalidDatasetException(String.format("expected an item, found %08X", tag), false);
            if (length == UNDEFINED) {
                if (fragments) throw new InvalidDatasetException("pixel data fragment of undefined length", false);
                walkDataset(explicit, bigEndian, -1, false, depth);
            } else if (fragments) {
                in.skip(length);
            } else {
                walkDataset(explicit, bigEndian, in.position + length, false, depth);
            }
        }
    }

    private int readTag(boolean bigEndian) throws IOException {
        int group = readU16(bigEndian);
        int element = readU16(bigEndian);
        return group << 16 | element;
    }

    private String readVr(int tag) throws IOException {
        int a = in.read(), b = in.read();
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') {
            throw new InvalidDatasetException(String.format("element %08X has no valid VR", tag), false);
        }
        return new String(new char[] {(char) a, (char) b});
    }

    private long readLength16Reserved(boolean bigEndian) throws IOException {
        readU16(bigEndian);
        return readLength32(bigEndian);
    }

    private long readLength32(boolean bigEndian) throws IOException {
        long a = readU16(bigEndian), b = readU16(bigEndian);
        return bigEndian ? (a << 16 | b) : (b << 16 | a);
    }

    private int readU16(boolean bigEndian) throws IOException {
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
            if (size >= 0 && position + n > size) throw new EOFException();
            if (size < 0 && position + n > MAX_INFLATED_BYTES) {
                throw new InvalidDatasetException("deflated data set inflates beyond " + (MAX_INFLATED_BYTES >> 30) + " GiB", false);
            }
            in.skipNBytes(n);
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
