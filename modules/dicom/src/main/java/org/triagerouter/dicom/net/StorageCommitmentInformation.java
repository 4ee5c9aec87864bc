package org.triagerouter.dicom.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.triagerouter.dicom.Uids;

/**
 * The data sets of Storage Commitment (PS3.4 Tables J.3-1 and J.3-2) in Implicit or Explicit VR Little Endian,
 * written and read here because PixelMed's dictionary lacks Transaction UID, Failed SOP Sequence and Failure
 * Reason (in Implicit VR a reader must know which tags are sequences). Writes defined lengths; reads both.
 */
final class StorageCommitmentInformation {
    private StorageCommitmentInformation() {}

    static final int TRANSACTION_UID = 0x00081195;
    static final int FAILURE_REASON = 0x00081197;
    static final int FAILED_SOP_SEQUENCE = 0x00081198;
    static final int REFERENCED_SOP_SEQUENCE = 0x00081199;
    static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_DELIMITER = 0xFFFEE00D;
    private static final int SEQUENCE_DELIMITER = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    /** Nesting a hostile peer could use to exhaust the stack; ours is two levels. */
    private static final int MAX_DEPTH = 8;

    /** Action Information of the N-ACTION: Transaction UID and the Referenced SOP Sequence. */
    static byte[] action(String transactionUid, List<ReferencedInstance> instances, String transferSyntax) {
        boolean explicit = isExplicit(transferSyntax);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        element(out, explicit, TRANSACTION_UID, "UI", uid(transactionUid));
        element(out, explicit, REFERENCED_SOP_SEQUENCE, "SQ", items(instances, null, explicit));
        return out.toByteArray();
    }

    /** Event Information of the N-EVENT-REPORT, as an SCP writes it. */
    static byte[] event(StorageCommitmentResult result, String transferSyntax) {
        boolean explicit = isExplicit(transferSyntax);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        element(out, explicit, TRANSACTION_UID, "UI", uid(result.transactionUid()));
        if (!result.failed().isEmpty()) {
            element(out, explicit, FAILED_SOP_SEQUENCE, "SQ", items(result.failed().stream().map(StorageCommitmentResult.Failure::instance).toList(),
                    result.failed().stream().map(StorageCommitmentResult.Failure::reason).toList(), explicit));
        }
        if (!result.committed().isEmpty()) element(out, explicit, REFERENCED_SOP_SEQUENCE, "SQ", items(result.committed(), null, explicit));
        return out.toByteArray();
    }

    /** Reads Event Information; an unreadable one, or one without a Transaction UID, is an {@link IOException}. */
    static StorageCommitmentResult readEvent(byte[] dataSet, String transferSyntax, int eventType) throws IOException {
        Map<Integer, Object> top;
        try {
            top = parse(ByteBuffer.wrap(dataSet).order(ByteOrder.LITTLE_ENDIAN), dataSet.length, isExplicit(transferSyntax), 0);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("event information unreadable: " + (e.getMessage() == null ? "an element overruns the data set" : e.getMessage()));
        }
        String transactionUid = string(top.get(TRANSACTION_UID));
        if (transactionUid == null || transactionUid.isEmpty()) throw new IOException("event information lacks a Transaction UID");
        List<ReferencedInstance> committed = new ArrayList<>();
        for (Map<Integer, Object> item : sequence(top.get(REFERENCED_SOP_SEQUENCE))) committed.add(referenced(item));
        List<StorageCommitmentResult.Failure> failed = new ArrayList<>();
        for (Map<Integer, Object> item : sequence(top.get(FAILED_SOP_SEQUENCE))) {
            byte[] reason = item.get(FAILURE_REASON) instanceof byte[] b ? b : null;
            int code = reason != null && reason.length >= 2 ? (reason[0] & 0xFF) | (reason[1] & 0xFF) << 8 : StorageCommitment.PROCESSING_FAILURE;
            failed.add(new StorageCommitmentResult.Failure(referenced(item), code));
        }
        return new StorageCommitmentResult(transactionUid, eventType, committed, failed);
    }

    private static ReferencedInstance referenced(Map<Integer, Object> item) {
        String sopClass = string(item.get(REFERENCED_SOP_CLASS_UID)), sopInstance = string(item.get(REFERENCED_SOP_INSTANCE_UID));
        return new ReferencedInstance(sopClass == null ? "" : sopClass, sopInstance == null ? "" : sopInstance);
    }

    private static boolean isExplicit(String transferSyntax) {
        if (Uids.EXPLICIT_VR_LE.equals(transferSyntax)) return true;
        if (Uids.IMPLICIT_VR_LE.equals(transferSyntax)) return false;
        throw new IllegalArgumentException("Storage Commitment travels in Explicit or Implicit VR Little Endian, not " + transferSyntax);
    }

    private static byte[] items(List<ReferencedInstance> instances, List<Integer> reasons, boolean explicit) {
        ByteArrayOutputStream sequence = new ByteArrayOutputStream(128 * instances.size());
        for (int i = 0; i < instances.size(); i++) {
            ByteArrayOutputStream item = new ByteArrayOutputStream(128);
            element(item, explicit, REFERENCED_SOP_CLASS_UID, "UI", uid(instances.get(i).sopClassUid()));
            element(item, explicit, REFERENCED_SOP_INSTANCE_UID, "UI", uid(instances.get(i).sopInstanceUid()));
            if (reasons != null) element(item, explicit, FAILURE_REASON, "US", new byte[] {(byte) (int) reasons.get(i), (byte) (reasons.get(i) >>> 8)});
            header(sequence, ITEM, item.size());
            sequence.writeBytes(item.toByteArray());
        }
        return sequence.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, boolean explicit, int tag, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16)).putShort((short) tag);
        if (!explicit) {
            b.putInt(value.length);
        } else if (vr.equals("SQ")) {
            b.put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putInt(value.length);
        } else {
            b.put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) value.length);
        }
        out.write(b.array(), 0, b.position());
        out.writeBytes(value);
    }

    private static void header(ByteArrayOutputStream out, int tag, int length) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (tag >>> 16)).putShort((short) tag)
                .putInt(length).array());
    }

    /** A UI value: even length, padded with NUL (PS3.5 9.1). */
    private static byte[] uid(String uid) {
        byte[] raw = uid.getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[raw.length + (raw.length & 1)];
        System.arraycopy(raw, 0, value, 0, raw.length);
        return value;
    }

    /**
     * Elements of one level: values as bytes, sequences as lists of item maps. Reads until {@code end} (an absolute
     * position) or, for an undefined-length item, its delimiter.
     */
    private static Map<Integer, Object> parse(ByteBuffer in, int end, boolean explicit, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("sequences nested deeper than " + MAX_DEPTH);
        Map<Integer, Object> elements = new HashMap<>();
        while (in.position() < end) {
            int tag = (in.getShort() & 0xFFFF) << 16 | (in.getShort() & 0xFFFF);
            if (tag == ITEM_DELIMITER) {
                in.getInt();
                return elements;
            }
            String vr = null;
            long length;
            if (explicit) {
                byte[] v = new byte[2];
                in.get(v);
                vr = new String(v, StandardCharsets.US_ASCII);
                if (List.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV").contains(vr)) {
                    in.getShort();
                    length = in.getInt() & 0xFFFFFFFFL;
                } else {
                    length = in.getShort() & 0xFFFF;
                }
            } else {
                length = in.getInt() & 0xFFFFFFFFL;
            }
            boolean sequence = explicit ? "SQ".equals(vr) || length == UNDEFINED
                    : tag == REFERENCED_SOP_SEQUENCE || tag == FAILED_SOP_SEQUENCE || length == UNDEFINED;
            if (sequence) {
                elements.put(tag, items(in, length, explicit, depth));
                continue;
            }
            if (length > in.remaining() || in.position() + length > end) throw new IllegalArgumentException("element " + Integer.toHexString(tag)
                    + " overruns the data set");
            byte[] value = new byte[(int) length];
            in.get(value);
            elements.put(tag, value);
        }
        return elements;
    }

    private static List<Map<Integer, Object>> items(ByteBuffer in, long length, boolean explicit, int depth) {
        List<Map<Integer, Object>> items = new ArrayList<>();
        int end = length == UNDEFINED ? Integer.MAX_VALUE : checkedEnd(in, length);
        while (in.position() < end) {
            int tag = (in.getShort() & 0xFFFF) << 16 | (in.getShort() & 0xFFFF);
            long itemLength = in.getInt() & 0xFFFFFFFFL;
            if (tag == SEQUENCE_DELIMITER) return items;
            if (tag != ITEM) throw new IllegalArgumentException("expected an item in a sequence, found " + Integer.toHexString(tag));
            int itemEnd = itemLength == UNDEFINED ? Integer.MAX_VALUE : checkedEnd(in, itemLength);
            items.add(parse(in, Math.min(itemEnd, in.limit()), explicit, depth + 1));
            if (itemLength == UNDEFINED && in.position() >= in.limit() && end == Integer.MAX_VALUE) return items;
        }
        return items;
    }

    private static int checkedEnd(ByteBuffer in, long length) {
        if (length > in.remaining()) throw new IllegalArgumentException("a sequence or item overruns the data set");
        return in.position() + (int) length;
    }

    private static String string(Object value) {
        if (!(value instanceof byte[] b)) return null;
        return new String(b, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<Integer, Object>> sequence(Object value) {
        return value instanceof List<?> list ? (List<Map<Integer, Object>>) list : List.of();
    }
}
