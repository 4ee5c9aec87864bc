package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;

/**
 * Storage Commitment over the wire, with a scripted SCP written PDU by PDU: the N-EVENT-REPORT on the
 * N-ACTION's own association, and on a new association to the listener where the SCP takes the SCP role.
 */
class StorageCommitmentExchangeTest {
    private static final ReferencedInstance SR = new ReferencedInstance("1.2.840.10008.5.1.4.1.1.88.33", "2.25.1001");

    @TempDir
    Path work;

    @Test
    void resultOnTheSameAssociationIsAnsweredAndReturned() throws Exception {
        try (ServerSocket listener = new ServerSocket(0)) {
            CompletableFuture<CommandSet> scp = CompletableFuture.supplyAsync(() -> scriptedScp(listener));
            List<StorageCommitmentResult> handled = new CopyOnWriteArrayList<>();
            ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("TRIAGE"), new RemoteAe("PACS", "127.0.0.1", listener.getLocalPort()),
                    List.of(StorageCommitment.proposedContext(1)));
            assertTrue(StorageCommitment.request(association, "2.25.42", List.of(SR)).isSuccess());
            StorageCommitmentResult result = StorageCommitment.awaitResult(association, Duration.ofSeconds(10), (r, from) -> {
                handled.add(r);
                assertTrue(from.startsWith("PACS@") && from.endsWith("(same association)"), from);
                return DimseStatus.SUCCESS;
            });
            association.release();
            assertEquals(new StorageCommitmentResult("2.25.42", 1, List.of(SR), List.of()), result);
            assertEquals(List.of(result), handled);
            CommandSet rsp = scp.get(10, TimeUnit.SECONDS);
            assertEquals(StorageCommitment.N_EVENT_REPORT_RSP, rsp.commandField());
            assertEquals(0, rsp.status().code());
            assertEquals(1, rsp.getUs(StorageCommitment.EVENT_TYPE_ID));
            assertEquals(StorageCommitment.SOP_INSTANCE, rsp.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
        }
    }

    @Test
    void noResultWithinTheWaitLeavesTheAssociationUsable() throws Exception {
        try (ServerSocket listener = new ServerSocket(0)) {
            CompletableFuture<CommandSet> scp = CompletableFuture.supplyAsync(() -> silentScp(listener));
            ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("TRIAGE"), new RemoteAe("PACS", "127.0.0.1", listener.getLocalPort()),
                    List.of(StorageCommitment.proposedContext(1)));
            assertTrue(StorageCommitment.request(association, "2.25.43", List.of(SR)).isSuccess());
            long start = System.nanoTime();
            assertNull(StorageCommitment.awaitResult(association, Duration.ofMillis(300), (r, from) -> DimseStatus.SUCCESS));
            assertTrue(System.nanoTime() - start < 3_000_000_000L);
            association.release(); // a clean release after the wait: the stream was left where it was
            assertEquals(StorageCommitment.N_ACTION_RQ, scp.get(10, TimeUnit.SECONDS).commandField());
        }
    }

    @Test
    void listenerTakesAResultOnANewAssociationWithTheScpRole() throws Exception {
        List<StorageCommitmentResult> handled = new CopyOnWriteArrayList<>();
        List<String> reporters = new CopyOnWriteArrayList<>();
        try (DicomServer server = listener(work, (r, from) -> {
            handled.add(r);
            reporters.add(from);
            return DimseStatus.SUCCESS;
        })) {
            StorageCommitmentResult report = new StorageCommitmentResult("2.25.44", StorageCommitment.EVENT_FAILURES_EXIST, List.of(),
                    List.of(new StorageCommitmentResult.Failure(SR, 0x0112)));
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                PduConnection pacs = new PduConnection(socket);
                AssociateMessage ac = associate(pacs, List.of(new RoleSelection(StorageCommitment.SOP_CLASS, false, true)));
                assertTrue(ac.context(1).isAccepted(), "Storage Commitment context accepted");
                assertEquals(List.of(new RoleSelection(StorageCommitment.SOP_CLASS, false, true)), ac.roleSelections(), "our SCU role, the PACS's SCP role");
                CommandSet rsp = sendEventReport(pacs, ac, StorageCommitment.eventReportRequest(5, 2),
                        StorageCommitment.eventInformation(report, ac.context(1).transferSyntax()));
                assertEquals(0, rsp.status().code());
                assertEquals(2, rsp.getUs(StorageCommitment.EVENT_TYPE_ID));
                assertEquals(5, rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
                CommandSet wrongEvent = sendEventReport(pacs, ac, StorageCommitment.eventReportRequest(6, 3),
                        StorageCommitment.eventInformation(report, ac.context(1).transferSyntax()));
                assertEquals(StorageCommitment.NO_SUCH_EVENT_TYPE, wrongEvent.status().code());
                pacs.writeReleaseRequest();
                assertEquals(PduConnection.A_RELEASE_RP, pacs.readHeader().type());
            }
            assertEquals(List.of(report), handled, "only the valid report reaches the handler");
            assertTrue(reporters.get(0).startsWith("PACS@") && reporters.get(0).contains("new association"), reporters.get(0));
        }
    }

    @Test
    void listenerWithoutCommitmentsRefusesTheSopClass() throws Exception {
        try (DicomServer server = listener(work, null); Socket socket = new Socket("127.0.0.1", server.port())) {
            PduConnection pacs = new PduConnection(socket);
            pacs.setReadTimeout(5000);
            AssociateMessage rq = request(List.of(new RoleSelection(StorageCommitment.SOP_CLASS, false, true)),
                    List.of(StorageCommitment.proposedContext(1), PresentationContext.proposed(3, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE))));
            pacs.writePdu(PduConnection.A_ASSOCIATE_RQ, AssociatePduCodec.encode(rq, false));
            PduConnection.PduHeader header = pacs.readHeader();
            AssociateMessage ac = AssociatePduCodec.decode(pacs.readBody(header, 65536), true, rq);
            assertEquals(PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, ac.context(1).result());
            assertFalse(ac.roleSelections().get(0).scp(), "the SCP role is not granted");
        }
    }

    @Test
    void aModalityAskingTheRouterToCommitIsToldNotSupported() throws Exception {
        // It proposes the SOP class in the default role (it would be the SCU of N-ACTION): the router is no provider.
        try (DicomServer server = listener(work, (result, by) -> DimseStatus.SUCCESS); Socket socket = new Socket("127.0.0.1", server.port())) {
            PduConnection modality = new PduConnection(socket);
            modality.setReadTimeout(5000);
            AssociateMessage rq = request(List.of(), List.of(StorageCommitment.proposedContext(1),
                    PresentationContext.proposed(3, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE))));
            modality.writePdu(PduConnection.A_ASSOCIATE_RQ, AssociatePduCodec.encode(rq, false));
            PduConnection.PduHeader header = modality.readHeader();
            AssociateMessage ac = AssociatePduCodec.decode(modality.readBody(header, 65536), true, rq);
            assertEquals(PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, ac.context(1).result());
            assertTrue(ac.context(3).isAccepted(), "the rest of the association stands");
        }
    }

    private static DicomServer listener(Path work, StorageCommitmentHandler handler) throws IOException {
        ServerSettings settings = new ServerSettings("TRIAGE", "127.0.0.1", 0, java.util.Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4, Duration.ofSeconds(5), Duration.ofSeconds(10), work.resolve("incoming"), null);
        DicomServer server = new DicomServer(settings, instance -> DimseStatus.SUCCESS, handler);
        server.start();
        return server;
    }

    private static AssociateMessage request(List<RoleSelection> roles, List<PresentationContext> contexts) {
        return new AssociateMessage("TRIAGE", "PACS", contexts, 16384, "1.2.3.4", "SCRIPTED", roles);
    }

    private static AssociateMessage associate(PduConnection pacs, List<RoleSelection> roles) throws IOException {
        pacs.setReadTimeout(5000);
        AssociateMessage rq = request(roles, List.of(StorageCommitment.proposedContext(1)));
        pacs.writePdu(PduConnection.A_ASSOCIATE_RQ, AssociatePduCodec.encode(rq, false));
        PduConnection.PduHeader header = pacs.readHeader();
        assertEquals(PduConnection.A_ASSOCIATE_AC, header.type());
        return AssociatePduCodec.decode(pacs.readBody(header, 65536), true, rq);
    }

    private static CommandSet sendEventReport(PduConnection pacs, AssociateMessage ac, CommandSet rq, byte[] information) throws IOException {
        byte[] buffer = new byte[8192], command = rq.encode();
        pacs.writeMessagePart(1, true, new ByteArrayInputStream(command), command.length, ac.maxPduLength(), buffer);
        pacs.writeMessagePart(1, false, new ByteArrayInputStream(information), information.length, ac.maxPduLength(), buffer);
        try {
            return new MessageReader(pacs, 1 << 20, 8192).readCommand().command();
        } catch (MessageReader.ReleaseRequested e) {
            throw new AssertionError(e);
        }
    }

    /** Accepts one association, answers the N-ACTION, reports success on the same association; returns the N-EVENT-REPORT-RSP. */
    private static CommandSet scriptedScp(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            PduConnection connection = new PduConnection(socket);
            connection.setReadTimeout(10_000);
            AssociateMessage ac = acceptAll(connection);
            MessageReader reader = new MessageReader(connection, 1 << 20, 8192);
            MessageReader.Command action = reader.readCommand();
            ByteArrayOutputStream information = new ByteArrayOutputStream();
            reader.readDataSet(action.contextId(), information);
            String ts = ac.context(action.contextId()).transferSyntax();
            StorageCommitmentResult asked = StorageCommitment.eventInformation(information.toByteArray(), ts, 1);
            byte[] buffer = new byte[8192];
            CommandSet actionRsp = CommandSet.responseTo(action.command(), StorageCommitment.N_ACTION_RSP, DimseStatus.SUCCESS);
            write(connection, action.contextId(), actionRsp.encode(), true, buffer);
            write(connection, action.contextId(), StorageCommitment.eventReportRequest(1, 1).encode(), true, buffer);
            write(connection, action.contextId(), StorageCommitment.eventInformation(asked, ts), false, buffer);
            CommandSet rsp = reader.readCommand().command();
            awaitRelease(connection, reader);
            return rsp;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Answers the N-ACTION and never reports; returns the N-ACTION it got. */
    private static CommandSet silentScp(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            PduConnection connection = new PduConnection(socket);
            connection.setReadTimeout(10_000);
            acceptAll(connection);
            MessageReader reader = new MessageReader(connection, 1 << 20, 8192);
            MessageReader.Command action = reader.readCommand();
            reader.readDataSet(action.contextId(), java.io.OutputStream.nullOutputStream());
            write(connection, action.contextId(), CommandSet.responseTo(action.command(), StorageCommitment.N_ACTION_RSP, DimseStatus.SUCCESS).encode(),
                    true, new byte[8192]);
            awaitRelease(connection, reader);
            return action.command();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static AssociateMessage acceptAll(PduConnection connection) throws IOException {
        PduConnection.PduHeader header = connection.readHeader();
        AssociateMessage rq = AssociatePduCodec.decode(connection.readBody(header, 65536), false, null);
        List<PresentationContext> results = rq.presentationContexts().stream()
                .map(pc -> PresentationContext.accepted(pc.id(), pc.abstractSyntax(), pc.transferSyntaxes().get(0))).toList();
        AssociateMessage ac = new AssociateMessage(rq.calledAeTitle(), rq.callingAeTitle(), results, 16384, "1.2.3.4", "SCRIPTED", List.of());
        connection.writePdu(PduConnection.A_ASSOCIATE_AC, AssociatePduCodec.encode(ac, true));
        return ac;
    }

    private static void awaitRelease(PduConnection connection, MessageReader reader) throws IOException {
        try {
            reader.readCommand();
            throw new AssertionError("expected a release");
        } catch (MessageReader.ReleaseRequested release) {
            connection.writeReleaseResponse();
        }
    }

    private static void write(PduConnection connection, int contextId, byte[] bytes, boolean command, byte[] buffer) throws IOException {
        connection.writeMessagePart(contextId, command, new ByteArrayInputStream(bytes), bytes.length, 16384, buffer);
    }
}
