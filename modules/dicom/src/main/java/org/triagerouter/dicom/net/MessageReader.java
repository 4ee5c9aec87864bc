package org.triagerouter.dicom.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reads DIMSE messages out of P-DATA-TF PDUs (PS3.8 9.3.5, PS3.7 9.3.1): a command, then its
 * data set streamed to a sink. Tracks how much of the current PDU is left, since one PDU may hold
 * the end of a command and the start of its data set.
 */
final class MessageReader {
    /** Command sets are a few hundred bytes; anything near this is an attack or a bug. */
    static final int MAX_COMMAND_LENGTH = 64 * 1024;

    private final PduConnection connection;
    private final int maxPduLength;
    private final byte[] copyBuffer;
    private long pduRemaining;
    private int pdvRemaining;
    private int pdvContextId;
    private int pdvControl;

    /** Signals that the peer asked to release the association while we waited for a message. */
    static final class ReleaseRequested extends Exception {
        ReleaseRequested() { super(null, null, false, false); }
    }

    MessageReader(PduConnection connection, int maxPduLength, int copyBufferSize) {
        this.connection = connection;
        this.maxPduLength = maxPduLength;
        this.copyBuffer = new byte[copyBufferSize];
    }

    record Command(int contextId, CommandSet command) {}

    /** The next command; throws {@link ReleaseRequested} if the peer sent A-RELEASE-RQ instead. */
    Command readCommand() throws IOException, ReleaseRequested {
        byte[] bytes = new byte[256];
        int length = 0;
        int contextId = -1;
        while (true) {
            nextPdv(length == 0 && contextId < 0);
            if ((pdvControl & 0x01) == 0) {
                throw new ProtocolException(ProtocolException.UNEXPECTED_PDU_PARAMETER, "data fragment where a command was expected");
            }
            if (contextId >= 0 && pdvContextId != contextId) {
                throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, "command fragments on different presentation contexts");
            }
            contextId = pdvContextId;
            if (length + pdvRemaining > MAX_COMMAND_LENGTH) {
                throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, "command set longer than " + MAX_COMMAND_LENGTH + " bytes");
            }
            if (length + pdvRemaining > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + pdvRemaining));
            connection.in().readFully(bytes, length, pdvRemaining);
            length += pdvRemaining;
            pdvRemaining = 0;
            if ((pdvControl & 0x02) != 0) break;
        }
        CommandSet command;
        try {
            command = CommandSet.decode(bytes, length);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, "unparsable command set: " + e.getMessage());
        }
        // Without (0000,0800) nobody can tell whether a data set follows, so the message stream cannot be followed.
        String missing = command.missingRequiredField();
        if (missing != null) throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, missing);
        return new Command(contextId, command);
    }

    /** Streams the data set that follows a command on {@code contextId} into {@code sink}; returns its length. */
    long readDataSet(int contextId, OutputStream sink) throws IOException {
        long total = 0;
        while (true) {
            try {
                nextPdv(false);
            } catch (ReleaseRequested impossible) {
                throw new AssertionError(impossible);
            }
            if ((pdvControl & 0x01) != 0) {
                throw new ProtocolException(ProtocolException.UNEXPECTED_PDU_PARAMETER, "command fragment inside a data set");
            }
            if (pdvContextId != contextId) {
                throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                        "data set fragment on context " + pdvContextId + ", command was on " + contextId);
            }
            while (pdvRemaining > 0) {
                int n = connection.in().read(copyBuffer, 0, Math.min(pdvRemaining, copyBuffer.length));
                if (n < 0) throw new EOFException("connection closed inside a data set");
                sink.write(copyBuffer, 0, n);
                pdvRemaining -= n;
                total += n;
            }
            if ((pdvControl & 0x02) != 0) return total;
        }
    }

    /**
     * Positions at the next PDV, reading a new P-DATA-TF header when the current PDU is used up.
     * A-RELEASE-RQ is only legal between messages ({@code betweenMessages}).
     */
    private void nextPdv(boolean betweenMessages) throws IOException, ReleaseRequested {
        if (pdvRemaining != 0) throw new IllegalStateException("previous PDV not consumed");
        while (pduRemaining == 0) {
            PduConnection.PduHeader header = connection.readHeader();
            switch (header.type()) {
                case PduConnection.P_DATA_TF -> {
                    if (header.length() > maxPduLength) {
                        throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                                "P-DATA-TF of " + header.length() + " bytes exceeds the negotiated maximum " + maxPduLength);
                    }
                    pduRemaining = header.length();
                }
                case PduConnection.A_RELEASE_RQ -> {
                    connection.readFixedBody(header);
                    if (!betweenMessages) {
                        throw new ProtocolException(ProtocolException.UNEXPECTED_PDU, "A-RELEASE-RQ in the middle of a message");
                    }
                    throw new ReleaseRequested();
                }
                case PduConnection.A_ABORT -> {
                    byte[] body = connection.readFixedBody(header);
                    throw new PeerAbortedException(body[2], body[3]);
                }
                case PduConnection.A_ASSOCIATE_RQ, PduConnection.A_ASSOCIATE_AC, PduConnection.A_ASSOCIATE_RJ, PduConnection.A_RELEASE_RP ->
                        throw new ProtocolException(ProtocolException.UNEXPECTED_PDU, "unexpected PDU type " + header.type() + " during data transfer");
                default -> throw new ProtocolException(ProtocolException.UNRECOGNIZED_PDU, "unrecognized PDU type " + header.type());
            }
        }
        if (pduRemaining < 6) {
            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, "P-DATA-TF ends inside a PDV header");
        }
        long itemLength = connection.in().readInt() & 0xFFFFFFFFL;
        if (itemLength < 2 || itemLength > pduRemaining - 4) {
            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                    "PDV item length " + itemLength + " does not fit its PDU (" + (pduRemaining - 4) + " left)");
        }
        pdvContextId = connection.in().readUnsignedByte();
        pdvControl = connection.in().readUnsignedByte();
        pdvRemaining = (int) (itemLength - 2);
        pduRemaining -= 4 + itemLength;
    }
}
