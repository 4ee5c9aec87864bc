package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.triagerouter.dicom.Uids;

/**
 * PDUs written byte by byte (PS3.8 9.3), so that a test can send what no toolkit would: even or repeated
 * presentation context IDs, AE titles of spaces or control characters, command sets lacking a field.
 */
final class RawPdus {
    private RawPdus() {}

    /** A proposed presentation context: any ID, one abstract syntax, its transfer syntaxes. */
    record Proposal(int id, String abstractSyntax, String... transferSyntaxes) {}

    /** A PDU as read from the wire. */
    record Pdu(int type, byte[] body) {
        /** {result or source, reason} of an A-ASSOCIATE-RJ or A-ABORT body. */
        int[] resultSourceReason() { return new int[] {body[1] & 0xFF, body[2] & 0xFF, body[3] & 0xFF}; }
    }

    /** A 16-byte AE title field exactly as given (no padding, no checks); shorter text is padded with spaces. */
    static byte[] aeField(String text) {
        byte[] field = new byte[16];
        Arrays.fill(field, (byte) ' ');
        byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(raw, 0, field, 0, Math.min(16, raw.length));
        return field;
    }

    static byte[] associateRequest(String called, String calling, List<Proposal> proposals) {
        return associateRequest(aeField(called), aeField(calling), proposals, 16384);
    }

    static byte[] associateRequest(byte[] calledField, byte[] callingField, List<Proposal> proposals, int maxPduLength) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x00, 0x01, 0x00, 0x00}); // protocol version 1, reserved
        body.writeBytes(calledField);
        body.writeBytes(callingField);
        body.writeBytes(new byte[32]);
        item(body, 0x10, ascii(Uids.APPLICATION_CONTEXT));
        for (Proposal p : proposals) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.writeBytes(new byte[] {(byte) p.id(), 0, 0, 0});
            item(pc, 0x30, ascii(p.abstractSyntax()));
            for (String ts : p.transferSyntaxes()) item(pc, 0x40, ascii(ts));
            item(body, 0x20, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(maxPduLength).array());
        item(user, 0x52, ascii(Uids.IMPLEMENTATION_CLASS_UID));
        item(body, 0x50, user.toByteArray());
        return pdu(PduConnection.A_ASSOCIATE_RQ, body.toByteArray());
    }

    /** One P-DATA-TF holding one PDV. */
    static byte[] pData(int contextId, boolean command, boolean last, byte[] value) {
        ByteBuffer body = ByteBuffer.allocate(6 + value.length);
        body.putInt(value.length + 2).put((byte) contextId).put((byte) ((command ? 1 : 0) | (last ? 2 : 0))).put(value);
        return pdu(PduConnection.P_DATA_TF, body.array());
    }

    static byte[] pdu(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(6 + body.length);
        b.put((byte) type).put((byte) 0).putInt(body.length).put(body);
        return b.array();
    }

    static void send(Socket socket, byte[]... pdus) throws IOException {
        OutputStream out = socket.getOutputStream();
        for (byte[] p : pdus) out.write(p);
        out.flush();
    }

    static Pdu read(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int type;
        try {
            type = in.readUnsignedByte();
        } catch (EOFException e) {
            throw new AssertionError("connection closed where a PDU was expected");
        }
        in.readUnsignedByte();
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return new Pdu(type, body);
    }

    static Pdu read(Socket socket, int expectedType) throws IOException {
        Pdu pdu = read(socket);
        assertEquals(expectedType, pdu.type(), "PDU type");
        return pdu;
    }

    /** {id, result} of each presentation context item of an A-ASSOCIATE-AC body, and its transfer syntax. */
    record ContextResult(int id, int result, String transferSyntax) {}

    static List<ContextResult> contextResults(byte[] acBody) {
        List<ContextResult> results = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(acBody);
        in.position(68);
        while (in.hasRemaining()) {
            int type = in.get() & 0xFF;
            in.get();
            int length = in.getShort() & 0xFFFF;
            int end = in.position() + length;
            if (type == 0x21) {
                int id = in.get() & 0xFF;
                in.get();
                int result = in.get() & 0xFF;
                in.get();
                String ts = "";
                while (in.position() < end) {
                    int subType = in.get() & 0xFF;
                    in.get();
                    int subLength = in.getShort() & 0xFFFF;
                    byte[] value = new byte[subLength];
                    in.get(value);
                    if (subType == 0x40) ts = new String(value, StandardCharsets.US_ASCII).replace("\0", "").trim();
                }
                results.add(new ContextResult(id, result, ts));
            }
            in.position(end);
        }
        return results;
    }

    /** Opens a connection and has {@code proposals} accepted (asserts an A-ASSOCIATE-AC). */
    static Socket associate(int port, String called, String calling, List<Proposal> proposals) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        send(socket, associateRequest(called, calling, proposals));
        read(socket, PduConnection.A_ASSOCIATE_AC);
        return socket;
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
