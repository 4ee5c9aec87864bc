package org.triagerouter.dicom.file;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.triagerouter.dicom.Uids;

/**
 * DICOM Part 10 file meta information (PS3.10 7.1): written ahead of a received data set, and read
 * to find a file's SOP identity, transfer syntax and where its data set begins. Explicit VR Little Endian.
 */
public final class Part10 {
    private Part10() {}

    private static final int PREAMBLE_LENGTH = 128;
    private static final int MAX_META_GROUP_LENGTH = 64 * 1024;

    /** Writes preamble, "DICM" and the meta group; the data set bytes follow as received. */
    public static void writeMetaGroup(OutputStream out, String sopClassUid, String sopInstanceUid,
                                      String transferSyntaxUid, String sourceAeTitle) throws IOException {
        ByteArrayOutputStream group = new ByteArrayOutputStream(256);
        element(group, 0x0001, "OB", new byte[] {0, 1});
        element(group, 0x0002, "UI", padded(sopClassUid, (byte) 0));
        element(group, 0x0003, "UI", padded(sopInstanceUid, (byte) 0));
        element(group, 0x0010, "UI", padded(transferSyntaxUid, (byte) 0));
        element(group, 0x0012, "UI", padded(Uids.IMPLEMENTATION_CLASS_UID, (byte) 0));
        element(group, 0x0013, "SH", padded(Uids.IMPLEMENTATION_VERSION, (byte) ' '));
        if (sourceAeTitle != null && !sourceAeTitle.isEmpty()) element(group, 0x0016, "AE", padded(sourceAeTitle, (byte) ' '));
        out.write(new byte[PREAMBLE_LENGTH]);
        out.write("DICM".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream groupLength = new ByteArrayOutputStream(12);
        element(groupLength, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(group.size()).array());
        groupLength.writeTo(out);
        group.writeTo(out);
    }

    /** Reads the meta group of a Part 10 file; fails with a message naming the problem otherwise. */
    public static Part10Meta readMeta(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return readMeta(raw, file.toString());
        }
    }

    /** The meta group of a Part 10 file held in memory (an SR kept in the database, say). */
    public static Part10Meta readMeta(byte[] file) throws IOException {
        return readMeta(new java.io.ByteArrayInputStream(file), "in-memory file");
    }

    static Part10Meta readMeta(InputStream raw, String name) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 8192));
        byte[] head = new byte[PREAMBLE_LENGTH + 4];
        try {
            in.readFully(head);
        } catch (EOFException e) {
            throw new NotPart10Exception(name + ": too short to be a DICOM Part 10 file");
        }
        if (!"DICM".equals(new String(head, PREAMBLE_LENGTH, 4, StandardCharsets.US_ASCII))) {
            throw new NotPart10Exception(name + ": no DICM prefix, not a DICOM Part 10 file");
        }
        long offset = PREAMBLE_LENGTH + 4;
        String sopClass = null, sopInstance = null, transferSyntax = null;
        long groupEnd = -1;
        while (groupEnd < 0 || offset < groupEnd) {
            byte[] header = new byte[8];
            in.readFully(header);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int group = h.getShort() & 0xFFFF;
            int element = h.getShort() & 0xFFFF;
            if (group != 0x0002) throw new NotPart10Exception(name + ": meta group ends without a group length");
            String vr = new String(header, 4, 2, StandardCharsets.US_ASCII);
            long length;
            int headerLength = 8;
            if (DatasetWalker.hasLongLength(vr)) {
                length = in.readInt();
                length = Integer.reverseBytes((int) length) & 0xFFFFFFFFL;
                headerLength = 12;
            } else {
                length = h.getShort(6) & 0xFFFF;
            }
            if (length > MAX_META_GROUP_LENGTH) throw new NotPart10Exception(name + ": meta element longer than " + MAX_META_GROUP_LENGTH);
            byte[] value = new byte[(int) length];
            in.readFully(value);
            offset += headerLength + length;
            switch (element) {
                case 0x0000 -> groupEnd = offset + (ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL);
                case 0x0002 -> sopClass = text(value);
                case 0x0003 -> sopInstance = text(value);
                case 0x0010 -> transferSyntax = text(value);
                default -> { }
            }
            if (groupEnd < 0) throw new NotPart10Exception(name + ": meta group does not start with its group length");
        }
        if (sopClass == null || sopInstance == null || transferSyntax == null) {
            throw new NotPart10Exception(name + ": meta group lacks SOP class, SOP instance or transfer syntax");
        }
        return new Part10Meta(sopClass, sopInstance, transferSyntax, offset);
    }

    public static final class NotPart10Exception extends IOException {
        public NotPart10Exception(String message) { super(message); }
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    private static byte[] padded(String text, byte pad) {
        byte[] raw = text.getBytes(StandardCharsets.US_ASCII);
        if ((raw.length & 1) == 0) return raw;
        byte[] even = java.util.Arrays.copyOf(raw, raw.length + 1);
        even[raw.length] = pad;
        return even;
    }

    private static void element(ByteArrayOutputStream out, int element, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x0002).putShort((short) element).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (DatasetWalker.hasLongLength(vr)) {
            b.putShort((short) 0).putInt(value.length);
        } else {
            b.putShort((short) value.length);
        }
        out.write(b.array(), 0, b.position());
        out.writeBytes(value);
    }
}
