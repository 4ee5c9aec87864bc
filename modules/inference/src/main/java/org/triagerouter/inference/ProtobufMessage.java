package org.triagerouter.inference;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A protobuf message written field by field in the wire format; enough to emit a small ONNX model. */
final class ProtobufMessage {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtobufMessage varint(int field, long value) {
        tag(field, VARINT);
        writeVarint(value);
        return this;
    }

    ProtobufMessage bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        writeVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtobufMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtobufMessage message(int field, ProtobufMessage value) {
        return bytes(field, value.toByteArray());
    }

    byte[] toByteArray() { return out.toByteArray(); }

    private void tag(int field, int wireType) {
        writeVarint(((long) field << 3) | wireType);
    }

    /** Seven bits at a time, low first; negative int64 values take the full ten bytes, as protobuf requires. */
    private void writeVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
