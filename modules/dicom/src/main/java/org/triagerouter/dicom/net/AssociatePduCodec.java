package org.triagerouter.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.triagerouter.dicom.Uids;

/** Encodes and decodes the variable part of A-ASSOCIATE-RQ/AC PDUs (PS3.8 9.3.2-9.3.3, PS3.7 Annex D). */
final class AssociatePduCodec {
    private AssociatePduCodec() {}

    static final int PROTOCOL_VERSION = 0x0001;
    private static final int ITEM_APPLICATION_CONTEXT = 0x10;
    private static final int ITEM_PC_REQUEST = 0x20;
    private static final int ITEM_PC_ACCEPT = 0x21;
    private static final int ITEM_ABSTRACT_SYNTAX = 0x30;
    private static final int ITEM_TRANSFER_SYNTAX = 0x40;
    private static final int ITEM_USER_INFORMATION = 0x50;
    private static final int SUB_MAX_LENGTH = 0x51;
    private static final int SUB_IMPLEMENTATION_CLASS_UID = 0x52;
    private static final int SUB_ROLE_SELECTION = 0x54;
    private static final int SUB_IMPLEMENTATION_VERSION = 0x55;

    /** The PDU body (everything after the 6-byte PDU header) of an RQ or, with {@code accept}, an AC. */
    static byte[] encode(AssociateMessage m, boolean accept) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(PROTOCOL_VERSION >>> 8);
        out.write(PROTOCOL_VERSION);
        out.write(0);
        out.write(0);
        out.writeBytes(aeTitleField(m.calledAeTitle()));
        out.writeBytes(aeTitleField(m.callingAeTitle()));
        out.writeBytes(new byte[32]);
        item(out, ITEM_APPLICATION_CONTEXT, ascii(Uids.APPLICATION_CONTEXT));
        for (PresentationContext pc : m.presentationContexts()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream(128);
            body.write(pc.id());
            body.write(0);
            body.write(accept ? pc.result() : 0);
            body.write(0);
            if (accept) {
                item(body, ITEM_TRANSFER_SYNTAX, ascii(pc.transferSyntax()));
            } else {
                item(body, ITEM_ABSTRACT_SYNTAX, ascii(pc.abstractSyntax()));
                for (String ts : pc.transferSyntaxes()) item(body, ITEM_TRANSFER_SYNTAX, ascii(ts));
            }
            item(out, accept ? ITEM_PC_ACCEPT : ITEM_PC_REQUEST, body.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream(128);
        item(user, SUB_MAX_LENGTH, ByteBuffer.allocate(4).putInt(m.maxPduLength()).array());
        item(user, SUB_IMPLEMENTATION_CLASS_UID, ascii(m.implementationClassUid()));
        for (RoleSelection role : m.roleSelections()) {
            byte[] uid = ascii(role.sopClassUid());
            ByteBuffer b = ByteBuffer.allocate(4 + uid.length);
            b.putShort((short) uid.length).put(uid).put((byte) (role.scu() ? 1 : 0)).put((byte) (role.scp() ? 1 : 0));
            item(user, SUB_ROLE_SELECTION, b.array());
        }
        item(user, SUB_IMPLEMENTATION_VERSION, ascii(m.implementationVersionName()));
        item(out, ITEM_USER_INFORMATION, user.toByteArray());
        return out.toByteArray();
    }

    /**
     * Decodes an RQ or AC body. Unknown items and sub-items are skipped, as PS3.8 9.3.1 asks.
     * For an AC, abstract syntaxes are taken from the {@code request} it answers.
     */
    static AssociateMessage decode(byte[] body, boolean accept, AssociateMessage request) throws DicomNetworkException {
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            int version = in.getShort() & 0xFFFF;
            if ((version & PROTOCOL_VERSION) == 0) throw new ProtocolVersionException(version);
            in.getShort();
            String called = aeTitle(in);
            String calling = aeTitle(in);
            in.position(in.position() + 32);
            List<PresentationContext> contexts = new ArrayList<>();
            List<RoleSelection> roles = new ArrayList<>();
            int maxLength = 0;
            String implClass = "";
            String implVersion = "";
            String applicationContext = null;
            while (in.hasRemaining()) {
                int type = in.get() & 0xFF;
                in.get();
                int length = in.getShort() & 0xFFFF;
                ByteBuffer item = slice(in, length);
                switch (type) {
                    case ITEM_APPLICATION_CONTEXT -> applicationContext = ascii(item);
                    case ITEM_PC_REQUEST, ITEM_PC_ACCEPT -> contexts.add(presentationContext(item, accept, request));
                    case ITEM_USER_INFORMATION -> {
                        while (item.hasRemaining()) {
                            int subType = item.get() & 0xFF;
                            item.get();
                            int subLength = item.getShort() & 0xFFFF;
                            ByteBuffer sub = slice(item, subLength);
                            switch (subType) {
                                case SUB_MAX_LENGTH -> {
                                    // Unsigned 32 bits; 0 and anything beyond what one array can hold mean "unlimited".
                                    long value = sub.getInt() & 0xFFFFFFFFL;
                                    maxLength = value > Integer.MAX_VALUE ? 0 : (int) value;
                                }
                                case SUB_IMPLEMENTATION_CLASS_UID -> implClass = ascii(sub);
                                case SUB_IMPLEMENTATION_VERSION -> implVersion = ascii(sub);
                                case SUB_ROLE_SELECTION -> {
                                    int uidLength = sub.getShort() & 0xFFFF;
                                    String uid = ascii(slice(sub, uidLength));
                                    roles.add(new RoleSelection(uid, sub.get() == 1, sub.get() == 1));
                                }
                                default -> { } // async window, extended negotiation, user identity: not used
                            }
                        }
                    }
                    default -> { }
                }
            }
            if (applicationContext == null) throw new DicomNetworkException("A-ASSOCIATE PDU without an application context");
            if (!Uids.APPLICATION_CONTEXT.equals(applicationContext)) throw new UnsupportedApplicationContextException(applicationContext);
            return new AssociateMessage(called, calling, contexts, maxLength, implClass, implVersion, roles);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new DicomNetworkException("malformed A-ASSOCIATE PDU: an item overruns its parent");
        }
    }

    static final class ProtocolVersionException extends DicomNetworkException {
        ProtocolVersionException(int version) { super("unsupported protocol version " + version); }
    }

    static final class UnsupportedApplicationContextException extends DicomNetworkException {
        UnsupportedApplicationContextException(String name) { super("unsupported application context " + name); }
    }

    private static PresentationContext presentationContext(ByteBuffer item, boolean accept, AssociateMessage request) {
        int id = item.get() & 0xFF;
        item.get();
        int result = item.get() & 0xFF;
        item.get();
        String abstractSyntax = null;
        List<String> transferSyntaxes = new ArrayList<>();
        while (item.hasRemaining()) {
            int type = item.get() & 0xFF;
            item.get();
            int length = item.getShort() & 0xFFFF;
            String value = ascii(slice(item, length));
            if (type == ITEM_ABSTRACT_SYNTAX) abstractSyntax = value;
            else if (type == ITEM_TRANSFER_SYNTAX) transferSyntaxes.add(value);
        }
        if (accept) {
            PresentationContext proposed = request == null ? null : request.context(id);
            abstractSyntax = proposed == null ? null : proposed.abstractSyntax();
            if (transferSyntaxes.isEmpty()) transferSyntaxes.add("");
            return new PresentationContext(id, abstractSyntax, List.copyOf(transferSyntaxes), result);
        }
        return new PresentationContext(id, abstractSyntax == null ? "" : abstractSyntax, List.copyOf(transferSyntaxes), PresentationContext.ACCEPTANCE);
    }

    private static ByteBuffer slice(ByteBuffer in, int length) {
        if (length > in.remaining()) throw new IllegalArgumentException("item overrun");
        ByteBuffer s = in.slice(in.position(), length);
        in.position(in.position() + length);
        return s;
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** UIDs in PDUs may be padded with a trailing NUL (PS3.8 9.3.2.2); AE titles with spaces. */
    private static String ascii(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        return new String(raw, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    /**
     * Removes only the padding: spaces at either end (PS3.8 9.3.2) and trailing NULs, which some devices pad with.
     * Control characters inside are kept, so that the acceptor can refuse them; bytes above 7FH become U+FFFD.
     */
    private static String aeTitle(ByteBuffer in) {
        byte[] raw = new byte[16];
        in.get(raw);
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == 0)) end--;
        int start = 0;
        while (start < end && raw[start] == ' ') start++;
        return new String(raw, start, end - start, StandardCharsets.US_ASCII);
    }

    static byte[] aeTitleField(String title) {
        byte[] field = new byte[16];
        java.util.Arrays.fill(field, (byte) ' ');
        byte[] raw = ascii(title);
        System.arraycopy(raw, 0, field, 0, Math.min(16, raw.length));
        return field;
    }
}
