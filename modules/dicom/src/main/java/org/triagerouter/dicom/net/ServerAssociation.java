package org.triagerouter.dicom.net;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.InvalidDatasetException;

/**
 * One accepted connection, from A-ASSOCIATE-RQ to release or abort (PS3.8 state machine, acceptor
 * side). Received data sets go straight from the socket into a Part 10 file; nothing is held whole.
 */
final class ServerAssociation implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServerAssociation.class);
    private static final int FILE_BUFFER = 256 * 1024;

    private final String id;
    private final Socket socket;
    private final ServerSettings settings;
    private final AssociationNegotiator negotiator;
    private final StoreHandler handler;
    private final Semaphore associationSlots;
    /** Takes Storage Commitment results a PACS reports on an association it opens; null: not offered. */
    private final StorageCommitmentHandler commitments;
    private AssociationInfo info;
    private AssociateMessage accepted;
    private int instancesStored;
    /** Set once we sent A-ABORT: PS3.8 AA-1/AA-8 then wait (Sta13) for the peer to close, bounded by ARTIM. */
    private boolean abortSent;

    ServerAssociation(String id, Socket socket, ServerSettings settings, AssociationNegotiator negotiator,
                      StoreHandler handler, Semaphore associationSlots, StorageCommitmentHandler commitments) {
        this.id = id;
        this.socket = socket;
        this.settings = settings;
        this.negotiator = negotiator;
        this.handler = handler;
        this.associationSlots = associationSlots;
        this.commitments = commitments;
    }

    @Override
    public void run() {
        boolean released = false;
        boolean holdsSlot = false;
        PduConnection connection = null;
        try {
            connection = new PduConnection(socket);
            // The ARTIM watchdog below closes the connection on time; the read timeout is only a backstop behind it.
            connection.setReadTimeout((int) settings.artimTimeout().toMillis() + 1000);
            connection.setWriteTimeout(settings.idleTimeout());
            AssociateMessage request;
            // ARTIM is one deadline for the whole request, not a per-read timeout a trickling peer could stretch.
            try (Watchdog.Guard artim = Watchdog.arm(socket, settings.artimTimeout())) {
                try {
                    request = readAssociateRequest(connection);
                } catch (IOException e) {
                    if (!artim.fired()) throw e;
                    log.warn("{} closing connection from {}: no A-ASSOCIATE-RQ within {} s", id, socket.getRemoteSocketAddress(),
                            settings.artimTimeout().toSeconds());
                    return;
                }
            }
            if (request == null) return;
            if (request.maxPduLength() != 0 && request.maxPduLength() < PduConnection.MIN_PEER_PDU_LENGTH) {
                abort(connection, ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                        "peer maximum PDU length " + request.maxPduLength() + " is below " + PduConnection.MIN_PEER_PDU_LENGTH);
                return;
            }
            String malformation = AssociationNegotiator.malformation(request);
            if (malformation != null) {
                abort(connection, ProtocolException.INVALID_PDU_PARAMETER_VALUE, malformation);
                return;
            }
            AssociationNegotiator.Decision badTitle = AssociationNegotiator.titleRejection(request);
            if (badTitle != null) {
                reject(connection, badTitle.reject(), badTitle.reason());
                return;
            }
            info = new AssociationInfo(id, request.callingAeTitle(), request.calledAeTitle(),
                    String.valueOf(socket.getRemoteSocketAddress()), Instant.now());
            String certificateRefusal = settings.tls() == null ? null
                    : settings.tls().clientCertificateAeTitles().refusal(request.callingAeTitle(), socket);
            if (certificateRefusal != null) {
                reject(connection, AssociateReject.CALLING_AE_NOT_RECOGNIZED, certificateRefusal);
                return;
            }
            holdsSlot = associationSlots.tryAcquire();
            if (!holdsSlot) {
                reject(connection, AssociateReject.LOCAL_LIMIT_EXCEEDED, settings.maxAssociations() + " associations already open");
                return;
            }
            AssociationNegotiator.Decision decision = negotiator.decide(request, socket.getInetAddress());
            if (decision.reject() != null) {
                reject(connection, decision.reject(), decision.reason());
                return;
            }
            accepted = decision.accept();
            connection.writePdu(PduConnection.A_ASSOCIATE_AC, AssociatePduCodec.encode(accepted, true));
            log.info("{} association accepted from {} ({}) to {}, {} of {} contexts", id, info.callingAeTitle(),
                    info.remoteAddress(), info.calledAeTitle(),
                    accepted.presentationContexts().stream().filter(PresentationContext::isAccepted).count(),
                    accepted.presentationContexts().size());
            connection.setReadTimeout((int) settings.idleTimeout().toMillis());
            released = serveMessages(connection, request.maxPduLength());
        } catch (ProtocolException e) {
            abort(connection, e.abortReason, e.getMessage());
        } catch (SocketTimeoutException e) {
            String why = e.getMessage() != null && e.getMessage().startsWith(PduConnection.WRITE_TIMEOUT_PREFIX) ? e.getMessage()
                    : "nothing received for " + (accepted == null ? settings.artimTimeout() : settings.idleTimeout()).toSeconds() + " s";
            abort(connection, ProtocolException.NOT_SPECIFIED, why);
        } catch (PeerAbortedException e) {
            log.warn("{} {}", id, e.getMessage());
        } catch (EOFException e) {
            log.warn("{} connection closed by peer without release", id);
        } catch (IOException e) {
            if (connection != null) abort(connection, ProtocolException.NOT_SPECIFIED, "association failed: " + e.getMessage());
            else log.warn("{} association failed: {}", id, e.getMessage());
        } finally {
            // The slot and the handler are not kept waiting while an aborted peer takes its time to close.
            if (holdsSlot) associationSlots.release();
            if (accepted != null) {
                log.info("{} association {} after {} instance(s)", id, released ? "released" : "aborted", instancesStored);
                try {
                    handler.onAssociationClosed(info, released, instancesStored);
                } catch (RuntimeException e) {
                    log.error("{} association-closed handler failed", id, e);
                }
            }
            if (connection != null) {
                if (abortSent) awaitPeerClose(connection);
                connection.close();
            } else {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    /** Null when the peer sent something else (aborted) or nothing. */
    private AssociateMessage readAssociateRequest(PduConnection connection) throws IOException {
        PduConnection.PduHeader header = connection.readHeader();
        if (header.type() != PduConnection.A_ASSOCIATE_RQ) {
            abort(connection, ProtocolException.UNEXPECTED_PDU, "expected A-ASSOCIATE-RQ, got PDU type " + header.type());
            return null;
        }
        if (header.length() > PduConnection.MAX_ASSOCIATE_PDU_LENGTH) {
            abort(connection, ProtocolException.INVALID_PDU_PARAMETER_VALUE, "A-ASSOCIATE-RQ declares " + header.length() + " bytes");
            return null;
        }
        byte[] body = connection.readBody(header, PduConnection.MAX_ASSOCIATE_PDU_LENGTH);
        try {
            return AssociatePduCodec.decode(body, false, null);
        } catch (AssociatePduCodec.ProtocolVersionException e) {
            reject(connection, AssociateReject.PROTOCOL_VERSION_NOT_SUPPORTED, e.getMessage());
        } catch (AssociatePduCodec.UnsupportedApplicationContextException e) {
            reject(connection, AssociateReject.APPLICATION_CONTEXT_NOT_SUPPORTED, e.getMessage());
        } catch (DicomNetworkException e) {
            abort(connection, ProtocolException.INVALID_PDU_PARAMETER_VALUE, e.getMessage());
        }
        return null;
    }

    private void reject(PduConnection connection, AssociateReject reject, String reason) throws IOException {
        log.warn("{} association from {} rejected ({}): {}", id, socket.getRemoteSocketAddress(), reject, reason);
        connection.writeReject(reject);
        awaitPeerClose(connection);
    }

    /** A-ABORT from the service provider; the caller returns and the connection is closed once the peer has (AA-8). */
    private void abort(PduConnection connection, int reason, String message) {
        log.warn("{} aborting association from {}: {}", id, socket.getRemoteSocketAddress(), message);
        connection.writeAbort(2, reason);
        abortSent = true;
    }

    /**
     * After RJ, RP or an A-ABORT it is the peer that closes the transport: closing first could turn unread input
     * into a TCP reset that destroys the PDU just sent. ARTIM bounds how long we wait (PS3.8 9.2.3, Sta13).
     */
    private void awaitPeerClose(PduConnection connection) {
        try (Watchdog.Guard artim = Watchdog.arm(socket, settings.artimTimeout())) {
            connection.setReadTimeout((int) settings.artimTimeout().toMillis() + 1000);
            byte[] discard = new byte[8192];
            while (connection.in().read(discard) >= 0) {
                // Discard anything the peer still sends.
            }
        } catch (IOException ignored) {
            // Deadline or reset: either way we close now.
        }
    }

    /** Serves DIMSE messages until release (true) or failure (exception). */
    private boolean serveMessages(PduConnection connection, int peerMaxPduLength) throws IOException {
        MessageReader reader = new MessageReader(connection, settings.maxPduLength(), FILE_BUFFER);
        byte[] sendBuffer = new byte[4096];
        while (true) {
            MessageReader.Command command;
            try {
                command = reader.readCommand();
            } catch (MessageReader.ReleaseRequested release) {
                connection.writeReleaseResponse();
                awaitPeerClose(connection);
                return true;
            }
            PresentationContext context = accepted.context(command.contextId());
            if (context == null || !context.isAccepted()) {
                throw new ProtocolException(ProtocolException.INVALID_PDU_PARAMETER_VALUE,
                        "message on presentation context " + command.contextId() + ", which was not accepted");
            }
            int field = command.command().commandField();
            if (field == CommandSet.C_CANCEL_RQ || (field & 0x8000) != 0) {
                // C-CANCEL has no response (PS3.7 9.3.2.3) and cancels only C-FIND/C-GET/C-MOVE, which we do not offer;
                // a response is never answered. Either way there is nothing to send back.
                if (command.command().hasDataSet()) reader.readDataSet(command.contextId(), OutputStream.nullOutputStream());
                if (field == CommandSet.C_CANCEL_RQ) {
                    log.info("{} C-CANCEL for message {} ignored: no operation of ours can be cancelled", id,
                            command.command().getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
                } else {
                    log.warn("{} unsolicited DIMSE response 0x{} ignored", id, Integer.toHexString(field));
                }
                continue;
            }
            CommandSet response = switch (field) {
                case CommandSet.C_ECHO_RQ -> {
                    if (command.command().hasDataSet()) reader.readDataSet(command.contextId(), OutputStream.nullOutputStream());
                    yield CommandSet.responseTo(command.command(), CommandSet.C_ECHO_RSP, DimseStatus.SUCCESS);
                }
                case CommandSet.C_STORE_RQ -> CommandSet.responseTo(command.command(), CommandSet.C_STORE_RSP,
                        receiveStore(reader, command, context));
                case StorageCommitment.N_EVENT_REPORT_RQ -> StorageCommitment.answerOnListener(reader, command, context, info, commitments);
                default -> {
                    if (command.command().hasDataSet()) reader.readDataSet(command.contextId(), OutputStream.nullOutputStream());
                    yield CommandSet.responseTo(command.command(), (field | 0x8000) & 0xFFFF,
                            DimseStatus.of(DimseStatus.UNRECOGNIZED_OPERATION, "unsupported DIMSE command 0x" + Integer.toHexString(field)));
                }
            };
            byte[] encoded = response.encode();
            connection.writeMessagePart(command.contextId(), true, new ByteArrayInputStream(encoded), encoded.length,
                    peerMaxPduLength, sendBuffer);
        }
    }

    /** Streams one C-STORE data set to a Part 10 file, validates it and hands it to the handler. */
    private DimseStatus receiveStore(MessageReader reader, MessageReader.Command command, PresentationContext context) throws IOException {
        CommandSet rq = command.command();
        String sopClass = rq.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
        String sopInstance = rq.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID);
        if (!rq.hasDataSet()) {
            return DimseStatus.of(DimseStatus.CANNOT_UNDERSTAND, "C-STORE-RQ without a data set");
        }
        // Everything the command alone can tell is checked before a byte of the data set is written.
        DimseStatus refusal = checkRequest(sopClass, sopInstance, context);
        if (refusal == null) refusal = admit(sopClass, sopInstance);
        if (refusal != null) {
            reader.readDataSet(command.contextId(), OutputStream.nullOutputStream());
            log.warn("{} C-STORE {} refused before receipt: {}", id, sopInstance, refusal);
            return refusal;
        }
        Path file;
        try {
            file = Files.createTempFile(settings.incomingDirectory(), "rx-", ".part");
        } catch (IOException e) {
            reader.readDataSet(command.contextId(), OutputStream.nullOutputStream());
            log.error("{} C-STORE {} refused: cannot create a file in {}: {}", id, sopInstance, settings.incomingDirectory(), e.getMessage());
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router disk cannot take the instance");
        }
        boolean handedOver = false;
        // A local write failure (disk full) must not break the association: keep reading, answer 0xA700.
        LocalFileSink sink = new LocalFileSink(file, FILE_BUFFER);
        try {
            long dataSetLength;
            sink.writeMetaGroup(sopClass, sopInstance, context.transferSyntax(), info.callingAeTitle());
            dataSetLength = reader.readDataSet(command.contextId(), sink);
            sink.close();
            if (sink.failure() != null) {
                log.error("{} C-STORE {} refused: writing {} failed: {}", id, sopInstance, file, sink.failure().getMessage());
                return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router disk cannot take the instance");
            }
            InstanceHeader header;
            try {
                header = InstanceFiles.validate(file, Files.size(file) - dataSetLength, context.transferSyntax());
            } catch (InvalidDatasetException e) {
                log.warn("{} C-STORE {} refused: {}", id, sopInstance, e.getMessage());
                return DimseStatus.of(e.truncated ? DimseStatus.CANNOT_UNDERSTAND_TRUNCATED : DimseStatus.CANNOT_UNDERSTAND, e.getMessage());
            } catch (IOException e) {
                log.error("{} C-STORE {} refused: cannot read back {}: {}", id, sopInstance, file, e.getMessage());
                return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router disk cannot take the instance");
            }
            if (!sopInstance.equals(header.sopInstanceUid())) {
                log.warn("{} C-STORE {} refused: data set holds SOP Instance UID {}", id, sopInstance, header.sopInstanceUid());
                return DimseStatus.of(DimseStatus.CANNOT_UNDERSTAND_UID_MISMATCH, "SOP Instance UID in data set differs from request");
            }
            if (!sopClass.equals(header.sopClassUid())) {
                log.warn("{} C-STORE {} refused: data set holds SOP Class UID {}, request {}", id, sopInstance, header.sopClassUid(), sopClass);
                return DimseStatus.of(DimseStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, "SOP Class UID in data set differs from request");
            }
            Priority priority = Priority.of(rq.getUs(CommandSet.PRIORITY));
            ReceivedInstance instance = new ReceivedInstance(info, context.transferSyntax(), priority, file, Files.size(file), header);
            DimseStatus status;
            try {
                status = handler.onStore(instance);
            } catch (RuntimeException e) {
                log.error("{} store handler failed for {}", id, sopInstance, e);
                status = DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router could not store the instance");
            }
            handedOver = !status.isFailure();
            if (handedOver) instancesStored++;
            return status;
        } finally {
            sink.close();
            if (!handedOver) Files.deleteIfExists(file);
        }
    }

    private DimseStatus admit(String sopClass, String sopInstance) {
        try {
            return handler.admit(info, sopClass, sopInstance);
        } catch (RuntimeException e) {
            log.error("{} admission check failed for {}", id, sopInstance, e);
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router cannot accept instances now");
        }
    }

    /** Checks the C-STORE-RQ's own fields; null when they are usable. */
    private static DimseStatus checkRequest(String sopClass, String sopInstance, PresentationContext context) {
        if (sopClass == null || sopInstance == null) {
            return DimseStatus.of(DimseStatus.CANNOT_UNDERSTAND, "C-STORE-RQ lacks Affected SOP Class or Instance UID");
        }
        if (!Uids.isValid(sopInstance)) {
            return DimseStatus.of(DimseStatus.CANNOT_UNDERSTAND_INVALID_UID, "Affected SOP Instance UID is not a valid UID");
        }
        if (!sopClass.equals(context.abstractSyntax())) {
            return DimseStatus.of(DimseStatus.SOP_CLASS_NOT_SUPPORTED, "SOP class differs from presentation context "
                    + context.id() + "'s (" + context.abstractSyntax() + ")");
        }
        return null;
    }
}
