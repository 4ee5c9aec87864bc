package org.triagerouter.dicom.net;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;

/**
 * An association the router opened as SCU (requestor side of PS3.8). Every wait is bounded:
 * connect, association answer, DIMSE response and release each have their own timeout.
 */
public final class ClientAssociation implements Closeable {
    private static final int SEND_BUFFER = 256 * 1024;

    private final PduConnection connection;
    private final ClientSettings settings;
    private final AssociateMessage accepted;
    private final List<PresentationContext> proposed;
    private final MessageReader reader;
    private final byte[] sendBuffer;
    private int nextMessageId = 1;
    private boolean open = true;

    private ClientAssociation(PduConnection connection, ClientSettings settings, AssociateMessage accepted, List<PresentationContext> proposed) {
        this.connection = connection;
        this.settings = settings;
        this.accepted = accepted;
        this.proposed = List.copyOf(proposed);
        this.reader = new MessageReader(connection, settings.maxPduLength(), 8192);
        int peerMax = accepted.maxPduLength() == 0 ? Integer.MAX_VALUE : accepted.maxPduLength();
        this.sendBuffer = new byte[Math.min(SEND_BUFFER, peerMax - 6)];
    }

    /** Opens an association proposing {@code contexts}; throws {@link AssociationRejectedException} on A-ASSOCIATE-RJ. */
    public static ClientAssociation open(ClientSettings settings, RemoteAe remote, List<PresentationContext> contexts) throws IOException {
        Socket socket = connect(settings, remote);
        // A bounded send buffer (the kernel would grow it to megabytes) keeps what a peer has not yet taken small,
        // so the per-PDU write deadline sees a stalled peer and the DIMSE timeout after our last byte is the peer's own.
        socket.setSendBufferSize(SEND_BUFFER);
        PduConnection connection = new PduConnection(socket);
        connection.setWriteTimeout(settings.dimseTimeout());
        Watchdog.Guard deadline = Watchdog.arm(socket, settings.associationTimeout());
        try {
            AssociateMessage request = new AssociateMessage(remote.aeTitle(), settings.callingAeTitle(), contexts,
                    settings.maxPduLength(), Uids.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_VERSION, List.of());
            connection.setReadTimeout(millis(settings.associationTimeout()));
            connection.writePdu(PduConnection.A_ASSOCIATE_RQ, AssociatePduCodec.encode(request, false));
            PduConnection.PduHeader header = connection.readHeader();
            switch (header.type()) {
                case PduConnection.A_ASSOCIATE_AC -> {
                    byte[] body = connection.readBody(header, PduConnection.MAX_ASSOCIATE_PDU_LENGTH);
                    AssociateMessage accepted = AssociatePduCodec.decode(body, true, request);
                    if (accepted.maxPduLength() != 0 && accepted.maxPduLength() < PduConnection.MIN_PEER_PDU_LENGTH) {
                        connection.writeAbort(2, ProtocolException.INVALID_PDU_PARAMETER_VALUE);
                        throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                                remote + " offers a maximum PDU length of " + accepted.maxPduLength());
                    }
                    return new ClientAssociation(connection, settings, accepted, contexts);
                }
                case PduConnection.A_ASSOCIATE_RJ -> {
                    byte[] body = connection.readFixedBody(header);
                    throw new AssociationRejectedException(body[1], body[2], body[3]);
                }
                case PduConnection.A_ABORT -> {
                    byte[] body = connection.readFixedBody(header);
                    throw new PeerAbortedException(body[2], body[3]);
                }
                default -> throw new ProtocolException(ProtocolException.UNEXPECTED_PDU, "unexpected PDU type " + header.type() + " in answer to A-ASSOCIATE-RQ");
            }
        } catch (DicomNetworkException e) {
            connection.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            connection.close();
            if (deadline.fired() || e instanceof SocketTimeoutException) {
                throw new DicomNetworkException(remote + " did not answer the association request within "
                        + settings.associationTimeout().toSeconds() + " s");
            }
            // With TLS 1.3 a refused client certificate only shows here, as a reset on the first read or write.
            throw new DicomNetworkException(remote + ": association failed: " + e.getMessage(), e);
        } finally {
            deadline.close();
        }
    }

    private static Socket connect(ClientSettings settings, RemoteAe remote) throws IOException {
        Socket socket;
        SSLContext tls = settings.tls() == null ? null : settings.tls().context();
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(remote.host(), remote.port()), millis(settings.connectTimeout()));
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, remote.host(), remote.port(), true);
                ssl.setSSLParameters(settings.tls().parameters(tls));
                ssl.setSoTimeout(millis(settings.associationTimeout()));
                ssl.startHandshake();
                return ssl;
            }
            return socket;
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new DicomNetworkException("cannot connect to " + remote + ": timed out after " + settings.connectTimeout().toSeconds() + " s");
        } catch (SSLException e) {
            socket.close();
            throw new DicomNetworkException("TLS handshake with " + remote + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            socket.close();
            throw new DicomNetworkException("cannot connect to " + remote + ": " + e.getMessage(), e);
        }
    }

    public AssociateMessage accepted() { return accepted; }

    /** The accepted context for this SOP class and transfer syntax, or null. */
    public PresentationContext acceptedContext(String sopClassUid, String transferSyntaxUid) {
        for (PresentationContext pc : accepted.presentationContexts()) {
            if (pc.isAccepted() && sopClassUid.equals(pc.abstractSyntax()) && transferSyntaxUid.equals(pc.transferSyntax())) return pc;
        }
        return null;
    }

    public DimseStatus echo() throws IOException {
        PresentationContext pc = null;
        for (String ts : Uids.UNCOMPRESSED_TRANSFER_SYNTAXES) {
            pc = acceptedContext(Uids.VERIFICATION, ts);
            if (pc != null) break;
        }
        if (pc == null) throw new DicomNetworkException("peer did not accept the Verification SOP class");
        return exchange(pc.id(), CommandSet.echoRequest(nextMessageId++), null, 0);
    }

    /** Stores a Part 10 file: its data set as it is on disk when the peer accepts that, else re-encoded (see {@link #store(String, String, String, InputStream, long, Priority)}). */
    public DimseStatus store(Path file, Priority priority) throws IOException {
        Part10Meta meta = Part10.readMeta(file);
        long length = Files.size(file) - meta.dataSetOffset();
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(meta.dataSetOffset());
            return store(meta.sopClassUid(), meta.sopInstanceUid(), meta.transferSyntaxUid(), in, length, priority);
        }
    }

    /**
     * Stores a data set encoded in {@code transferSyntaxUid}, read from {@code dataSet}, on the first accepted context in
     * the order of {@link ClientSettings#transferSyntax()}; when that is another syntax than the data set's, the data set is
     * re-encoded (decompressed where needed) first. Throws {@link NoPresentationContextException} when none fits.
     */
    public DimseStatus store(String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
                             InputStream dataSet, long length, Priority priority) throws IOException {
        PresentationContext pc = null;
        for (String candidate : settings.transferSyntax().order(transferSyntaxUid)) {
            pc = acceptedContext(sopClassUid, candidate);
            if (pc != null) break;
        }
        if (pc == null) throw new NoPresentationContextException(sopClassUid, offeredFor(sopClassUid), refusalsFor(sopClassUid));
        CommandSet request = CommandSet.storeRequest(nextMessageId++, sopClassUid, sopInstanceUid, priority);
        if (pc.transferSyntax().equals(transferSyntaxUid)) return exchange(pc.id(), request, dataSet, length);
        byte[] reencoded = org.triagerouter.dicom.file.DataSetReencoder.reencode(dataSet, transferSyntaxUid, pc.transferSyntax());
        return exchange(pc.id(), request, new ByteArrayInputStream(reencoded), reencoded.length);
    }

    /** The transfer syntaxes this association proposed for a SOP class, in the order proposed. */
    private List<String> offeredFor(String sopClassUid) {
        return proposed.stream().filter(pc -> pc.abstractSyntax().equals(sopClassUid)).flatMap(pc -> pc.transferSyntaxes().stream()).distinct().toList();
    }

    /** What the peer answered to those contexts (PS3.8 9.3.3.2 result/reason), distinct. */
    private List<String> refusalsFor(String sopClassUid) {
        return accepted.presentationContexts().stream().filter(pc -> sopClassUid.equals(pc.abstractSyntax()) && !pc.isAccepted())
                .map(pc -> switch (pc.result()) {
                    case PresentationContext.USER_REJECTION -> "user rejection";
                    case PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED -> "abstract syntax not supported";
                    case PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED -> "transfer syntaxes not supported";
                    default -> "no reason";
                }).distinct().toList();
    }

    /** No accepted presentation context for what is to be sent; the association stays usable. */
    public static final class NoPresentationContextException extends DicomNetworkException {
        public NoPresentationContextException(String sopClassUid, List<String> offered, List<String> refusals) {
            super("peer accepted no presentation context for SOP class " + sopClassUid + "; offered "
                    + (offered.isEmpty() ? "none" : String.join(", ", offered.stream().map(Uids::describeTransferSyntax).toList()))
                    + (refusals.isEmpty() ? "" : "; answered: " + String.join(", ", refusals)));
        }
    }

    /** Sends a request (and its data set) and returns the response's status; {@link StorageCommitment} sends its N-ACTION here. */
    DimseStatus exchange(int contextId, CommandSet request, InputStream dataSet, long length) throws IOException {
        ensureOpen();
        // Sending is bounded per PDU (the connection's write timeout, reset on every PDU the peer takes), so a slow
        // link is never cut off for its speed; the response then has the DIMSE timeout from our last byte.
        Watchdog.Guard deadline = null;
        try {
            byte[] command = request.encode();
            connection.writeMessagePart(contextId, true, new ByteArrayInputStream(command), command.length, accepted.maxPduLength(), sendBuffer);
            if (dataSet != null) connection.writeMessagePart(contextId, false, dataSet, length, accepted.maxPduLength(), sendBuffer);
            deadline = Watchdog.arm(connection.socket(), settings.dimseTimeout());
            connection.setReadTimeout(millis(settings.dimseTimeout()));
            MessageReader.Command response = reader.readCommand();
            if (response.command().hasDataSet()) {
                reader.readDataSet(response.contextId(), java.io.OutputStream.nullOutputStream());
            }
            String mismatch = mismatch(contextId, request, response);
            if (mismatch != null) throw new ProtocolException(ProtocolException.UNEXPECTED_PDU_PARAMETER, "response does not answer the request sent: " + mismatch);
            return response.command().status();
        } catch (ProtocolException e) {
            connection.writeAbort(2, e.abortReason);
            close();
            throw e;
        } catch (MessageReader.ReleaseRequested e) {
            abort();
            throw new DicomNetworkException("peer requested release while a response was outstanding");
        } catch (IOException e) {
            boolean responseTimedOut = deadline != null && (deadline.fired() || e instanceof SocketTimeoutException);
            boolean sendTimedOut = deadline == null && e instanceof SocketTimeoutException;
            if (responseTimedOut || sendTimedOut) abort();
            else close();
            if (responseTimedOut) throw new DicomNetworkException("no DIMSE response within " + settings.dimseTimeout().toSeconds() + " s; association aborted");
            if (sendTimedOut) throw new DicomNetworkException("the peer stopped taking our message: " + e.getMessage() + "; association aborted");
            throw e;
        } finally {
            if (deadline != null) deadline.close();
        }
    }

    /**
     * Why {@code response} is not the answer to {@code request} sent on {@code contextId}, or null: its command field,
     * Message ID Being Responded To, presentation context, and Affected SOP Class/Instance UID when present (PS3.7 9.3: equal to the request's Affected, or Requested, ones).
     */
    private static String mismatch(int contextId, CommandSet request, MessageReader.Command response) {
        CommandSet rsp = response.command();
        if (rsp.commandField() != (request.commandField() | 0x8000)) return "command field 0x" + Integer.toHexString(rsp.commandField());
        if (rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO) != request.messageId()) {
            return "Message ID Being Responded To " + rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO) + ", sent " + request.messageId();
        }
        if (response.contextId() != contextId) return "presentation context " + response.contextId() + ", sent on " + contextId;
        // An N-ACTION names its object as Requested SOP Class/Instance UID; its response answers with them as Affected (PS3.7 10.1.4).
        int[][] answeredAndSent = {{CommandSet.AFFECTED_SOP_CLASS_UID, CommandSet.REQUESTED_SOP_CLASS_UID},
                {CommandSet.AFFECTED_SOP_INSTANCE_UID, CommandSet.REQUESTED_SOP_INSTANCE_UID}};
        for (int[] pair : answeredAndSent) {
            int tag = pair[0];
            String answered = rsp.getString(tag);
            String sent = request.getString(tag) != null ? request.getString(tag) : request.getString(pair[1]);
            if (answered != null && !answered.equals(sent)) {
                return (tag == CommandSet.AFFECTED_SOP_CLASS_UID ? "Affected SOP Class UID " : "Affected SOP Instance UID ") + answered;
            }
        }
        return null;
    }

    // Hooks for StorageCommitment: its N-ACTION goes out through exchange(); the SCP may answer with a request of its own.

    int takeMessageId() { return nextMessageId++; }

    /** The called AE and the address, for logs. */
    String peer() { return accepted.calledAeTitle() + "@" + connection.socket().getRemoteSocketAddress(); }

    /** A request the acceptor sent on this association (an N-EVENT-REPORT), its data set already in the caller's sink. */
    record Request(int contextId, CommandSet command) {}

    /**
     * Waits up to {@code wait} for the acceptor to start a message; null when none starts in time, or when the peer
     * releases instead (the release is answered and the association ends). Once a message starts, the DIMSE timeout applies.
     */
    Request awaitRequest(java.time.Duration wait, java.io.OutputStream dataSetSink) throws IOException {
        ensureOpen();
        try {
            connection.setReadTimeout(Math.max(1, millis(wait)));
            connection.in().mark(1);
            if (connection.in().read() < 0) {
                close();
                throw new java.io.EOFException("peer closed the association");
            }
            connection.in().reset();
        } catch (SocketTimeoutException nothingCame) {
            return null;
        }
        Watchdog.Guard deadline = Watchdog.arm(connection.socket(), settings.dimseTimeout());
        try {
            connection.setReadTimeout(millis(settings.dimseTimeout()));
            MessageReader.Command command = reader.readCommand();
            if (command.command().hasDataSet()) reader.readDataSet(command.contextId(), dataSetSink);
            return new Request(command.contextId(), command.command());
        } catch (MessageReader.ReleaseRequested release) {
            connection.writeReleaseResponse();
            close();
            return null;
        } catch (ProtocolException e) {
            connection.writeAbort(2, e.abortReason);
            close();
            throw e;
        } catch (IOException e) {
            if (deadline.fired() || e instanceof SocketTimeoutException) abort();
            else close();
            throw e;
        } finally {
            deadline.close();
        }
    }

    /** Answers a request from {@link #awaitRequest}. */
    void respond(int contextId, CommandSet response) throws IOException {
        ensureOpen();
        byte[] encoded = response.encode();
        connection.writeMessagePart(contextId, true, new ByteArrayInputStream(encoded), encoded.length, accepted.maxPduLength(), sendBuffer);
    }

    /** A-RELEASE-RQ, waiting for A-RELEASE-RP at most the association timeout; aborts if it does not come. */
    public void release() throws IOException {
        if (!open) return;
        try (Watchdog.Guard deadline = Watchdog.arm(connection.socket(), settings.associationTimeout())) {
            connection.setReadTimeout(millis(settings.associationTimeout()));
            connection.writeReleaseRequest();
            while (true) {
                PduConnection.PduHeader header = connection.readHeader();
                switch (header.type()) {
                    case PduConnection.A_RELEASE_RP -> {
                        connection.readFixedBody(header);
                        return;
                    }
                    // Release collision (PS3.8 AR-9): as requestor we answer first, then await the peer's RP.
                    case PduConnection.A_RELEASE_RQ -> {
                        connection.readFixedBody(header);
                        connection.writeReleaseResponse();
                    }
                    case PduConnection.A_ABORT -> throw new PeerAbortedException(0, 0);
                    default -> {
                        if (header.length() > settings.maxPduLength()) {
                            throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE, "oversized PDU");
                        }
                        connection.in().skipNBytes(header.length());
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            connection.writeAbort(0, 0);
            throw new DicomNetworkException("no A-RELEASE-RP within " + settings.associationTimeout().toSeconds() + " s; association aborted");
        } finally {
            close();
        }
    }

    public void abort() {
        if (!open) return;
        connection.writeAbort(0, 0);
        close();
    }

    /** False once the association was released or aborted (also by a failed operation). */
    public boolean isOpen() { return open; }

    private void ensureOpen() throws DicomNetworkException {
        if (!open) throw new DicomNetworkException("association is closed");
    }

    @Override
    public void close() {
        open = false;
        connection.close();
    }

    private static int millis(java.time.Duration d) { return (int) Math.min(Integer.MAX_VALUE, d.toMillis()); }

    /** {@link #contextsFor(List, TransferSyntaxPreference)} with each file's own syntax first. */
    public static List<PresentationContext> contextsFor(List<Part10Meta> files) {
        return contextsFor(files, TransferSyntaxPreference.OWN);
    }

    /**
     * One presentation context per distinct (SOP class, transfer syntax) pair, ids 1, 3, 5, ...: for each file the syntaxes
     * {@code preference} orders, each a context of its own, so a peer can accept the file's own syntax and an uncompressed one
     * side by side (the file's own and Explicit, and Implicit VR Little Endian, the syntax every node must accept).
     */
    public static List<PresentationContext> contextsFor(List<Part10Meta> files, TransferSyntaxPreference preference) {
        List<PresentationContext> contexts = new ArrayList<>();
        for (String pair : contextPairs(files, preference)) {
            int bar = pair.indexOf('|');
            contexts.add(PresentationContext.proposed(2 * contexts.size() + 1, pair.substring(0, bar), List.of(pair.substring(bar + 1))));
        }
        return contexts;
    }

    /** The distinct "SOP class|transfer syntax" pairs {@link #contextsFor} proposes, in order: how many contexts the files need. */
    public static java.util.SequencedSet<String> contextPairs(List<Part10Meta> files, TransferSyntaxPreference preference) {
        java.util.SequencedSet<String> pairs = new java.util.LinkedHashSet<>();
        for (Part10Meta meta : files) {
            for (String ts : preference.order(meta.transferSyntaxUid())) pairs.add(meta.sopClassUid() + "|" + ts);
        }
        return pairs;
    }
}
