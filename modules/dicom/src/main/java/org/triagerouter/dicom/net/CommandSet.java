package org.triagerouter.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DIMSE command set (PS3.7 9.3, E.1): group 0000 elements, always Implicit VR Little Endian.
 * Values are kept as raw bytes; typed accessors read the few fields the router uses.
 */
public final class CommandSet {
    public static final int AFFECTED_SOP_CLASS_UID = 0x00000002;
    public static final int COMMAND_FIELD = 0x00000100;
    public static final int MESSAGE_ID = 0x00000110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x00000120;
    public static final int PRIORITY = 0x00000700;
    public static final int COMMAND_DATA_SET_TYPE = 0x00000800;
    public static final int STATUS = 0x00000900;
    public static final int ERROR_COMMENT = 0x00000902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x00001000;
    public static final int REQUESTED_SOP_CLASS_UID = 0x00000003;
    public static final int REQUESTED_SOP_INSTANCE_UID = 0x00001001;
    public static final int MOVE_ORIGINATOR_AE_TITLE = 0x00001030;
    public static final int MOVE_ORIGINATOR_MESSAGE_ID = 0x00001031;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    /** C-CANCEL-RQ (PS3.7 9.3.2.3): has no response. */
    public static final int C_CANCEL_RQ = 0x0FFF;

    /** (0000,0800) value meaning "no data set follows"; any other value means one does. */
    public static final int NO_DATA_SET = 0x0101;
    private static final int DATA_SET_PRESENT = 0x0000;

    private final TreeMap<Integer, byte[]> elements = new TreeMap<>(Integer::compareUnsigned);

    public static CommandSet decode(byte[] bytes, int length) {
        CommandSet command = new CommandSet();
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        while (in.remaining() >= 8) {
            int tag = (in.getShort() & 0xFFFF) << 16 | (in.getShort() & 0xFFFF);
            int valueLength = in.getInt();
            if (valueLength < 0 || valueLength > in.remaining()) {
                throw new IllegalArgumentException("command element " + Integer.toHexString(tag) + " overruns the command set");
            }
            byte[] value = new byte[valueLength];
            in.get(value);
            if (tag >>> 16 != 0) throw new IllegalArgumentException("command set holds a non-command element " + Integer.toHexString(tag));
            command.elements.put(tag, value);
        }
        if (in.hasRemaining()) throw new IllegalArgumentException("command set ends inside an element header");
        return command;
    }

    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
            if (e.getKey() == 0) continue;
            writeElement(body, e.getKey(), e.getValue());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream(body.size() + 12);
        writeElement(all, 0x00000000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        all.writeBytes(body.toByteArray());
        return all.toByteArray();
    }

    private static void writeElement(ByteArrayOutputStream out, int tag, byte[] value) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort((short) (tag >>> 16)).putShort((short) tag).putInt(value.length);
        out.writeBytes(header.array());
        out.writeBytes(value);
    }

    public CommandSet putUid(int tag, String uid) {
        return putString(tag, uid, (byte) 0);
    }

    public CommandSet putString(int tag, String text, byte padding) {
        byte[] raw = text.getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[raw.length + (raw.length & 1)];
        System.arraycopy(raw, 0, value, 0, raw.length);
        if ((raw.length & 1) == 1) value[raw.length] = padding;
        elements.put(tag, value);
        return this;
    }

    public CommandSet putUs(int tag, int value) {
        elements.put(tag, new byte[] {(byte) value, (byte) (value >>> 8)});
        return this;
    }

    public String getString(int tag) {
        byte[] value = elements.get(tag);
        if (value == null) return null;
        int end = value.length;
        while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) end--;
        int start = 0;
        while (start < end && value[start] == ' ') start++;
        return new String(value, start, end - start, StandardCharsets.US_ASCII);
    }

    /** An unsigned short value, or -1 when absent or malformed. */
    public int getUs(int tag) {
        byte[] value = elements.get(tag);
        if (value == null || value.length != 2) return -1;
        return (value[0] & 0xFF) | (value[1] & 0xFF) << 8;
    }

    public int commandField() { return getUs(COMMAND_FIELD); }

    public int messageId() { return getUs(MESSAGE_ID); }

    /** Whether a data set follows; {@link MessageReader} refuses a command set without (0000,0800), so it is always known. */
    public boolean hasDataSet() { return getUs(COMMAND_DATA_SET_TYPE) != NO_DATA_SET; }

    /** What makes this command set unusable, or null: Command Field and Command Data Set Type are required in every message (PS3.7 9.3). */
    public String missingRequiredField() {
        if (getUs(COMMAND_FIELD) < 0) return "command set lacks a valid Command Field (0000,0100)";
        if (getUs(COMMAND_DATA_SET_TYPE) < 0) return "command set lacks a valid Command Data Set Type (0000,0800)";
        return null;
    }

    public static CommandSet echoRequest(int messageId) {
        return new CommandSet().putUid(AFFECTED_SOP_CLASS_UID, org.triagerouter.dicom.Uids.VERIFICATION)
                .putUs(COMMAND_FIELD, C_ECHO_RQ).putUs(MESSAGE_ID, messageId).putUs(COMMAND_DATA_SET_TYPE, NO_DATA_SET);
    }

    public static CommandSet storeRequest(int messageId, String sopClassUid, String sopInstanceUid, Priority priority) {
        return new CommandSet().putUid(AFFECTED_SOP_CLASS_UID, sopClassUid)
                .putUs(COMMAND_FIELD, C_STORE_RQ).putUs(MESSAGE_ID, messageId).putUs(PRIORITY, priority.code)
                .putUs(COMMAND_DATA_SET_TYPE, DATA_SET_PRESENT).putUid(AFFECTED_SOP_INSTANCE_UID, sopInstanceUid);
    }

    /** The response to a request: same SOP class/instance, the request's message id, and the status. */
    public static CommandSet responseTo(CommandSet request, int responseField, DimseStatus status) {
        CommandSet response = new CommandSet();
        String sopClass = request.getString(AFFECTED_SOP_CLASS_UID);
        if (sopClass != null) response.putUid(AFFECTED_SOP_CLASS_UID, sopClass);
        response.putUs(COMMAND_FIELD, responseField)
                .putUs(MESSAGE_ID_BEING_RESPONDED_TO, Math.max(request.messageId(), 0))
                .putUs(COMMAND_DATA_SET_TYPE, NO_DATA_SET)
                .putUs(STATUS, status.code());
        String sopInstance = request.getString(AFFECTED_SOP_INSTANCE_UID);
        if (sopInstance != null) response.putUid(AFFECTED_SOP_INSTANCE_UID, sopInstance);
        if (status.comment() != null) {
            String comment = status.comment().length() > 64 ? status.comment().substring(0, 64) : status.comment();
            response.putString(ERROR_COMMENT, comment, (byte) ' ');
        }
        return response;
    }

    public DimseStatus status() {
        return new DimseStatus(getUs(STATUS), getString(ERROR_COMMENT));
    }
}
