package org.triagerouter.dicom.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;

/**
 * The Storage Commitment Push Model SOP class (PS3.4 Annex J) as the router uses it, as SCU: an N-ACTION
 * (Action Type 1) naming what was stored under a Transaction UID, and the SCP's N-EVENT-REPORT (Event Type 1:
 * all committed, 2: failures exist) answered on the same association or on one the SCP opens to the listener
 * (where the SCP proposes the SCP role, PS3.4 J.3.3.1.3). Command sets per PS3.7 10.3.4 and 10.3.1.
 */
public final class StorageCommitment {
    private static final Logger log = LoggerFactory.getLogger(StorageCommitment.class);

    private StorageCommitment() {}

    public static final String SOP_CLASS = "1.2.840.10008.1.20.1";
    /** The well-known SOP instance every N-ACTION and N-EVENT-REPORT of this class addresses (PS3.4 J.3.5). */
    public static final String SOP_INSTANCE = "1.2.840.10008.1.20.1.1";
    public static final int ACTION_REQUEST_COMMITMENT = 1;
    public static final int EVENT_SUCCESS = 1;
    public static final int EVENT_FAILURES_EXIST = 2;

    static final int EVENT_TYPE_ID = 0x00001002;
    static final int ACTION_TYPE_ID = 0x00001008;
    static final int N_EVENT_REPORT_RQ = 0x0100;
    static final int N_EVENT_REPORT_RSP = 0x8100;
    static final int N_ACTION_RQ = 0x0130;
    static final int N_ACTION_RSP = 0x8130;

    /** N-EVENT-REPORT statuses (PS3.7 10.1.1.1.8) the router answers with. */
    static final int PROCESSING_FAILURE = 0x0110;
    static final int NO_SUCH_EVENT_TYPE = 0x0113;
    static final int INVALID_ARGUMENT_VALUE = 0x0115;
    static final int NO_SUCH_SOP_CLASS = 0x0118;

    /** An event report names a few instances; anything near this is not one. */
    static final int MAX_EVENT_INFORMATION = 1 << 20;

    /** The context to propose beside the storage contexts; its command and data sets are small, so uncompressed only. */
    public static PresentationContext proposedContext(int id) {
        return PresentationContext.proposed(id, SOP_CLASS, Uids.UNCOMPRESSED_TRANSFER_SYNTAXES);
    }

    /** The next free (odd) context id after {@code contexts}. */
    public static int nextContextId(List<PresentationContext> contexts) {
        int max = -1;
        for (PresentationContext pc : contexts) max = Math.max(max, pc.id());
        return max + 2;
    }

    /**
     * Sends the N-ACTION asking the peer to commit to {@code instances} under {@code transactionUid}; returns the
     * N-ACTION-RSP status (success only says the request was received). Throws
     * {@link ClientAssociation.NoPresentationContextException} when the peer did not accept the SOP class.
     */
    public static DimseStatus request(ClientAssociation association, String transactionUid, List<ReferencedInstance> instances)
            throws IOException {
        PresentationContext pc = acceptedContext(association);
        if (pc == null) throw new ClientAssociation.NoPresentationContextException(SOP_CLASS, Uids.UNCOMPRESSED_TRANSFER_SYNTAXES, List.of());
        byte[] information = actionInformation(transactionUid, instances, pc.transferSyntax());
        return association.exchange(pc.id(), actionRequest(association.takeMessageId()), new ByteArrayInputStream(information),
                information.length);
    }

    /**
     * Waits up to {@code wait} for the peer's N-EVENT-REPORT on this association and answers it with what
     * {@code handler} returns. Null when none comes in time or the peer releases first (it may then report on a
     * new association). Requests of other kinds are answered as unrecognized.
     */
    public static StorageCommitmentResult awaitResult(ClientAssociation association, Duration wait, StorageCommitmentHandler handler)
            throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            BoundedSink sink = new BoundedSink(MAX_EVENT_INFORMATION);
            ClientAssociation.Request request = association.awaitRequest(Duration.ofNanos(left), sink);
            if (request == null) return null;
            PresentationContext context = association.accepted().context(request.contextId());
            CommandSet rq = request.command();
            if (rq.commandField() != N_EVENT_REPORT_RQ || context == null || !SOP_CLASS.equals(context.abstractSyntax())) {
                association.respond(request.contextId(), CommandSet.responseTo(rq, (rq.commandField() | 0x8000) & 0xFFFF,
                        DimseStatus.of(DimseStatus.UNRECOGNIZED_OPERATION, "the router only takes N-EVENT-REPORT here")));
                continue;
            }
            Answer answer = answerEventReport(rq, sink, context.transferSyntax(), association.peer() + " (same association)", handler);
            association.respond(request.contextId(), answer.response());
            if (answer.result() != null) return answer.result();
        }
    }

    /** For the listener: an N-EVENT-REPORT-RQ received on {@code context}; reads its data set and builds the response. */
    static CommandSet answerOnListener(MessageReader reader, MessageReader.Command command, PresentationContext context, AssociationInfo info,
                                       StorageCommitmentHandler handler) throws IOException {
        BoundedSink sink = new BoundedSink(MAX_EVENT_INFORMATION);
        if (command.command().hasDataSet()) reader.readDataSet(command.contextId(), sink);
        if (handler == null || !SOP_CLASS.equals(context.abstractSyntax())) {
            return CommandSet.responseTo(command.command(), N_EVENT_REPORT_RSP,
                    DimseStatus.of(DimseStatus.UNRECOGNIZED_OPERATION, "N-EVENT-REPORT is only taken for Storage Commitment"));
        }
        String from = info.callingAeTitle() + "@" + info.remoteAddress() + " (new association " + info.id() + ")";
        return answerEventReport(command.command(), sink, context.transferSyntax(), from, handler).response();
    }

    private record Answer(CommandSet response, StorageCommitmentResult result) {}

    private static Answer answerEventReport(CommandSet rq, BoundedSink dataSet, String transferSyntax, String from,
                                            StorageCommitmentHandler handler) {
        String sopClass = rq.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
        int eventType = rq.getUs(EVENT_TYPE_ID);
        DimseStatus refusal = null;
        StorageCommitmentResult result = null;
        if (!SOP_CLASS.equals(sopClass)) {
            refusal = DimseStatus.of(NO_SUCH_SOP_CLASS, "Affected SOP Class is not Storage Commitment Push Model");
        } else if (eventType != EVENT_SUCCESS && eventType != EVENT_FAILURES_EXIST) {
            refusal = DimseStatus.of(NO_SUCH_EVENT_TYPE, "Event Type ID " + eventType + " is neither 1 nor 2");
        } else if (!rq.hasDataSet() || dataSet.overflowed()) {
            refusal = DimseStatus.of(INVALID_ARGUMENT_VALUE, dataSet.overflowed() ? "event information too long" : "no event information");
        } else {
            try {
                result = eventInformation(dataSet.bytes(), transferSyntax, eventType);
            } catch (IOException e) {
                refusal = DimseStatus.of(INVALID_ARGUMENT_VALUE, "unreadable event information");
                log.warn("storage commitment report from {} refused: {}", from, e.getMessage());
            }
        }
        DimseStatus status = refusal;
        if (result != null) {
            try {
                status = handler.onResult(result, from);
            } catch (RuntimeException e) {
                log.error("storage commitment report {} from {}: handler failed", result.transactionUid(), from, e);
                status = DimseStatus.of(PROCESSING_FAILURE, "router could not record the result");
            }
        } else {
            log.warn("storage commitment report from {} refused: {}", from, refusal);
        }
        CommandSet response = CommandSet.responseTo(rq, N_EVENT_REPORT_RSP, status);
        if (eventType >= 0) response.putUs(EVENT_TYPE_ID, eventType);
        return new Answer(response, result);
    }

    private static PresentationContext acceptedContext(ClientAssociation association) {
        for (String ts : Uids.UNCOMPRESSED_TRANSFER_SYNTAXES) {
            PresentationContext pc = association.acceptedContext(SOP_CLASS, ts);
            if (pc != null) return pc;
        }
        return null;
    }

    /** N-ACTION-RQ command set (PS3.7 10.3.4.1.1). */
    static CommandSet actionRequest(int messageId) {
        return new CommandSet().putUid(CommandSet.REQUESTED_SOP_CLASS_UID, SOP_CLASS)
                .putUs(CommandSet.COMMAND_FIELD, N_ACTION_RQ).putUs(CommandSet.MESSAGE_ID, messageId)
                .putUs(CommandSet.COMMAND_DATA_SET_TYPE, 0x0000)
                .putUid(CommandSet.REQUESTED_SOP_INSTANCE_UID, SOP_INSTANCE)
                .putUs(ACTION_TYPE_ID, ACTION_REQUEST_COMMITMENT);
    }

    /** N-EVENT-REPORT-RQ command set (PS3.7 10.3.1.1.1), as an SCP sends it. */
    static CommandSet eventReportRequest(int messageId, int eventType) {
        return new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, SOP_CLASS)
                .putUs(CommandSet.COMMAND_FIELD, N_EVENT_REPORT_RQ).putUs(CommandSet.MESSAGE_ID, messageId)
                .putUs(CommandSet.COMMAND_DATA_SET_TYPE, 0x0000)
                .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, SOP_INSTANCE)
                .putUs(EVENT_TYPE_ID, eventType);
    }

    /** The N-ACTION's Action Information (PS3.4 Table J.3-1): Transaction UID and Referenced SOP Sequence. */
    static byte[] actionInformation(String transactionUid, List<ReferencedInstance> instances, String transferSyntax) {
        return StorageCommitmentInformation.action(transactionUid, instances, transferSyntax);
    }

    /** The N-EVENT-REPORT's Event Information (PS3.4 Table J.3-2), as an SCP sends it. */
    static byte[] eventInformation(StorageCommitmentResult result, String transferSyntax) {
        return StorageCommitmentInformation.event(result, transferSyntax);
    }

    static StorageCommitmentResult eventInformation(byte[] dataSet, String transferSyntax, int eventType) throws IOException {
        return StorageCommitmentInformation.readEvent(dataSet, transferSyntax, eventType);
    }

    /** Keeps at most {@code limit} bytes of a data set; the rest is read and dropped, and remembered as an overflow. */
    static final class BoundedSink extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        private final int limit;
        private boolean overflowed;

        BoundedSink(int limit) { this.limit = limit; }

        @Override
        public void write(int b) {
            if (bytes.size() < limit) bytes.write(b);
            else overflowed = true;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int room = Math.min(len, limit - bytes.size());
            if (room > 0) bytes.write(b, off, room);
            if (room < len) overflowed = true;
        }

        byte[] bytes() { return bytes.toByteArray(); }

        boolean overflowed() { return overflowed; }
    }
}
