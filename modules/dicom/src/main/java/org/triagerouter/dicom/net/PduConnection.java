package org.triagerouter.dicom.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The PDU framing of one association's TCP connection (PS3.8 9.3). Every length a peer declares
 * is checked against a limit before anything is allocated for it; P-DATA values are streamed.
 */
final class PduConnection implements Closeable {
    static final int A_ASSOCIATE_RQ = 0x01;
    static final int A_ASSOCIATE_AC = 0x02;
    static final int A_ASSOCIATE_RJ = 0x03;
    static final int P_DATA_TF = 0x04;
    static final int A_RELEASE_RQ = 0x05;
    static final int A_RELEASE_RP = 0x06;
    static final int A_ABORT = 0x07;

    /** Upper bound for A-ASSOCIATE PDUs: a request proposing 128 contexts with many syntaxes stays far below. */
    static final int MAX_ASSOCIATE_PDU_LENGTH = 1 << 20;
    /** Smallest maximum PDU length we accept from a peer (dcmtk's own floor is 4096); 0 means unlimited. */
    static final int MIN_PEER_PDU_LENGTH = 1024;
    private static final java.time.Duration DEFAULT_WRITE_TIMEOUT = java.time.Duration.ofSeconds(60);
    private static final int SOCKET_BUFFER = 64 * 1024;
    /** Starts the message of the {@link SocketTimeoutException} thrown when a peer stopped reading our PDUs. */
    static final String WRITE_TIMEOUT_PREFIX = "peer read nothing for";

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private boolean closed;
    private java.time.Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;

    PduConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), SOCKET_BUFFER));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), SOCKET_BUFFER));
    }

    Socket socket() { return socket; }

    DataInputStream in() { return in; }

    void setReadTimeout(int millis) throws SocketException { socket.setSoTimeout(millis); }

    /** Longest a single PDU write may block (a peer that stops reading must not hold a thread forever). */
    void setWriteTimeout(java.time.Duration timeout) { writeTimeout = timeout; }

    /** Reads a PDU header; returns its type and leaves the length in the returned value's low part. */
    PduHeader readHeader() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed by peer");
        in.readUnsignedByte();
        long length = in.readInt() & 0xFFFFFFFFL;
        return new PduHeader(type, length);
    }

    /** Reads the 4-byte body of A-ASSOCIATE-RJ, A-RELEASE-RQ/RP or A-ABORT, whose length is fixed by PS3.8. */
    byte[] readFixedBody(PduHeader header) throws IOException {
        if (header.length() != 4) {
            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                    "PDU type " + header.type() + " must be 4 bytes long, declares " + header.length());
        }
        return readBody(header, 4);
    }

    /** Reads a PDU body of a length already checked by the caller to be at most {@code limit}. */
    byte[] readBody(PduHeader header, int limit) throws IOException {
        if (header.length() > limit) {
            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                    "PDU type " + header.type() + " declares " + header.length() + " bytes, limit " + limit);
        }
        byte[] body = new byte[(int) header.length()];
        in.readFully(body);
        return body;
    }

    void writePdu(int type, byte[] body) throws IOException {
        try (Watchdog.Guard guard = Watchdog.arm(socket, writeTimeout)) {
            try {
                writeHeader(type, body.length);
                out.write(body);
                out.flush();
            } catch (IOException e) {
                throw writeFailure(guard, e);
            }
        }
    }

    /** A write the watchdog cut off is a timeout (the peer stopped reading), not a broken connection. */
    private IOException writeFailure(Watchdog.Guard guard, IOException e) {
        if (!guard.fired()) return e;
        return new SocketTimeoutException(WRITE_TIMEOUT_PREFIX + " " + writeTimeout.toSeconds() + " s");
    }

    void writeHeader(int type, long length) throws IOException {
        out.writeByte(type);
        out.writeByte(0);
        out.writeInt((int) length);
    }

    void writeAbort(int source, int reason) {
        try {
            writePdu(A_ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
        } catch (IOException ignored) {
            // The peer may already be gone; the abort is a courtesy.
        }
    }

    void writeReleaseRequest() throws IOException { writePdu(A_RELEASE_RQ, new byte[4]); }

    void writeReleaseResponse() throws IOException { writePdu(A_RELEASE_RP, new byte[4]); }

    void writeReject(AssociateReject reject) throws IOException {
        writePdu(A_ASSOCIATE_RJ, new byte[] {0, (byte) reject.result(), (byte) reject.source(), (byte) reject.reason()});
    }

    /**
     * Sends one DIMSE message part (command or data set) as P-DATA-TF PDUs of one PDV each,
     * no longer than the peer's maximum. {@code buffer} is reused across calls.
     */
    void writeMessagePart(int contextId, boolean command, InputStream source, long length, int peerMaxPduLength, byte[] buffer)
            throws IOException {
        int maxFragment = Math.min(buffer.length, (peerMaxPduLength == 0 ? Integer.MAX_VALUE : peerMaxPduLength) - 6);
        if (maxFragment < 1) throw new IllegalArgumentException("peer maximum PDU length " + peerMaxPduLength + " leaves no room for data");
        long remaining = length;
        do {
            int fragment = (int) Math.min(remaining, maxFragment);
            if (source.readNBytes(buffer, 0, fragment) != fragment) {
                throw new EOFException("data set source ended " + remaining + " bytes early");
            }
            boolean last = remaining == fragment;
            // Each PDU has its own deadline: a slow link that keeps taking data is never cut off, a stalled one is.
            try (Watchdog.Guard guard = Watchdog.arm(socket, writeTimeout)) {
                try {
                    writeHeader(P_DATA_TF, fragment + 6L);
                    out.writeInt(fragment + 2);
                    out.writeByte(contextId);
                    out.writeByte((command ? 0x01 : 0x00) | (last ? 0x02 : 0x00));
                    out.write(buffer, 0, fragment);
                    if (last) out.flush();
                } catch (IOException e) {
                    throw writeFailure(guard, e);
                }
            }
            remaining -= fragment;
        } while (remaining > 0);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a dead socket.
        }
    }

    record PduHeader(int type, long length) {}
}
