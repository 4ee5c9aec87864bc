package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.testing.TestRouter;

/** What a misbehaving or hostile peer gets: bounded lengths, timeouts, rejects with the right reasons. */
class UpperLayerLimitsTest {
    @TempDir
    Path work;

    @Test
    void pduLongerThanNegotiatedMaximumAbortsWithoutAllocatingIt() throws Exception {
        try (TestRouter router = TestRouter.builder(work).maxPduLength(16384).artimTimeout(Duration.ofSeconds(1)).start();
             Socket socket = associate(router)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // Several times more than the test JVM's heap: allocating it would fail with OutOfMemoryError, not an A-ABORT.
            out.writeByte(PduConnection.P_DATA_TF);
            out.writeByte(0);
            out.writeInt(0x7FFFFFF0);
            out.flush();
            int[] abort = readAbort(socket);
            assertEquals(2, abort[0], "source: service provider");
            assertEquals(ProtocolException.INVALID_PDU_PARAMETER_VALUE, abort[1]);
            assertEquals(-1, socket.getInputStream().read(), "connection closed when ARTIM expired after the abort");
            assertEquals(DimseStatus.SUCCESS, echo(router), "router keeps serving other associations");
        }
    }

    @Test
    void associateRequestDeclaringHugeLengthIsAborted() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             Socket socket = new Socket("127.0.0.1", router.port())) {
            socket.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(PduConnection.A_ASSOCIATE_RQ);
            out.writeByte(0);
            out.writeInt(0x7FFFFFF0);
            out.flush();
            int[] abort = readAbort(socket);
            assertEquals(ProtocolException.INVALID_PDU_PARAMETER_VALUE, abort[1]);
        }
    }

    @Test
    void idleAssociationIsAbortedAfterTheConfiguredTimeout() throws Exception {
        try (TestRouter router = TestRouter.builder(work).idleTimeout(Duration.ofSeconds(1)).artimTimeout(Duration.ofSeconds(1)).start();
             Socket socket = associate(router)) {
            long start = System.nanoTime();
            int[] abort = readAbort(socket);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(2, abort[0]);
            assertTrue(seconds >= 0.9 && seconds < 4, "aborted after " + seconds + " s");
            assertEquals(-1, socket.getInputStream().read());
            assertEquals(List.of(false), waitForClose(router));
        }
    }

    /** PS3.8 AA-2: when ARTIM expires before an A-ASSOCIATE-RQ, the transport connection is closed. */
    @Test
    void connectionThatNeverRequestsAnAssociationIsClosedAfterArtim() throws Exception {
        try (TestRouter router = TestRouter.builder(work).artimTimeout(Duration.ofSeconds(1)).start();
             Socket socket = new Socket("127.0.0.1", router.port())) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read());
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 0.9 && seconds < 4, "closed after " + seconds + " s");
        }
    }

    /** ARTIM is one deadline: a peer trickling its request a byte at a time cannot stretch it. */
    @Test
    void tricklingAssociationRequestIsCutOffAtTheArtimDeadline() throws Exception {
        try (TestRouter router = TestRouter.builder(work).artimTimeout(Duration.ofSeconds(1)).start();
             Socket socket = new Socket("127.0.0.1", router.port())) {
            long start = System.nanoTime();
            boolean closed = false;
            try {
                for (int i = 0; i < 40 && !closed; i++) {
                    socket.getOutputStream().write(i == 0 ? PduConnection.A_ASSOCIATE_RQ : 0);
                    socket.getOutputStream().flush();
                    Thread.sleep(200);
                    socket.setSoTimeout(1);
                    try {
                        closed = socket.getInputStream().read() == -1;
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        // no answer yet
                    }
                }
            } catch (IOException reset) {
                closed = true;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(closed, "still open after " + seconds + " s");
            assertTrue(seconds < 3, "closed only after " + seconds + " s");
        }
    }

    /** A peer that sends requests but never reads the responses must not hold a thread and a slot forever. */
    @Test
    void peerThatStopsReadingIsCutOffAndItsSlotFreed() throws Exception {
        try (TestRouter router = TestRouter.builder(work).maxAssociations(1).idleTimeout(Duration.ofSeconds(1)).start();
             Socket socket = associate(router)) {
            byte[] command = CommandSet.echoRequest(1).encode();
            java.io.ByteArrayOutputStream pdu = new java.io.ByteArrayOutputStream();
            DataOutputStream p = new DataOutputStream(pdu);
            p.writeByte(PduConnection.P_DATA_TF);
            p.writeByte(0);
            p.writeInt(command.length + 6);
            p.writeInt(command.length + 2);
            p.writeByte(1);
            p.writeByte(0x03);
            p.write(command);
            byte[] echoRequest = pdu.toByteArray();
            Thread pump = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 2_000_000; i++) socket.getOutputStream().write(echoRequest);
                } catch (IOException expected) {
                    // the router hung up on us
                }
            });
            long deadline = System.currentTimeMillis() + 20_000;
            DimseStatus status = null;
            while (status == null && System.currentTimeMillis() < deadline) {
                try {
                    status = echo(router);
                } catch (AssociationRejectedException stillBusy) {
                    Thread.sleep(200);
                } catch (DicomNetworkException connectionRefused) {
                    // Both connection slots taken: the aborted pump is still in its ARTIM wait for us to close.
                    Thread.sleep(200);
                }
            }
            assertEquals(DimseStatus.SUCCESS, status, "the only association slot was never freed");
            socket.close();
            pump.join(5000);
        }
    }

    @Test
    void peerOfferingATinyMaximumPduLengthIsAborted() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             Socket socket = new Socket("127.0.0.1", router.port())) {
            socket.setSoTimeout(5000);
            sendAssociateRequest(socket, 6);
            assertEquals(ProtocolException.INVALID_PDU_PARAMETER_VALUE, readAbort(socket)[1]);
            assertEquals(DimseStatus.SUCCESS, echo(router));
        }
    }

    /** PS3.8 9.3.3.2: the requestor learns each context's reason from an A-ASSOCIATE-AC, not a bare reject. */
    @Test
    void associationProposingNothingAcceptableIsAcceptedWithEachContextRejected() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("TESTSCU"), remote(router),
                     List.of(PresentationContext.proposed(1, "1.2.3.4.5.6", List.of(Uids.EXPLICIT_VR_LE)),
                             PresentationContext.proposed(3, Uids.DX_FOR_PRESENTATION, List.of(Uids.JPEG_LS_LOSSLESS))))) {
            assertEquals(PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, association.accepted().context(1).result());
            assertEquals(PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED, association.accepted().context(3).result());
            assertThrows(ClientAssociation.NoPresentationContextException.class, () -> association.store(Uids.DX_FOR_PRESENTATION,
                    Uids.newUid(), Uids.JPEG_LS_LOSSLESS, new java.io.ByteArrayInputStream(new byte[2]), 2, Priority.MEDIUM));
            association.release();
        }
    }

    @Test
    void eachPresentationContextGetsItsOwnResult() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("TESTSCU"), remote(router), List.of(
                     PresentationContext.proposed(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE)),
                     PresentationContext.proposed(3, "1.2.3.4.5.6", List.of(Uids.EXPLICIT_VR_LE)),
                     PresentationContext.proposed(5, Uids.DX_FOR_PRESENTATION, List.of(Uids.JPEG_LS_LOSSLESS)),
                     PresentationContext.proposed(7, Uids.CR_IMAGE_STORAGE, List.of(Uids.JPEG_LS_LOSSLESS, Uids.JPEG_2000_LOSSLESS, Uids.EXPLICIT_VR_LE))))) {
            AssociateMessage ac = association.accepted();
            assertEquals(PresentationContext.ACCEPTANCE, ac.context(1).result());
            assertEquals(PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, ac.context(3).result());
            assertEquals(PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED, ac.context(5).result());
            assertEquals(Uids.JPEG_2000_LOSSLESS, ac.context(7).transferSyntax(), "the SCU's first acceptable syntax");
            assertEquals(ServerSettings.DEFAULT_MAX_PDU_LENGTH, ac.maxPduLength());
            assertEquals(Uids.IMPLEMENTATION_CLASS_UID, ac.implementationClassUid());
            assertEquals(DimseStatus.SUCCESS, association.echo());
            association.release();
        }
    }

    @Test
    void associationsBeyondTheLimitAreRejectedAsTransient() throws Exception {
        try (TestRouter router = TestRouter.builder(work).maxAssociations(1).start();
             ClientAssociation first = ClientAssociation.open(ClientSettings.defaults("TESTSCU"), remote(router), verification())) {
            AssociationRejectedException rejected = assertThrows(AssociationRejectedException.class,
                    () -> ClientAssociation.open(ClientSettings.defaults("TESTSCU"), remote(router), verification()));
            assertEquals(AssociateReject.TRANSIENT, rejected.result);
            assertEquals(AssociateReject.SOURCE_SERVICE_PROVIDER_PRESENTATION, rejected.source);
            assertEquals(2, rejected.reason, "local limit exceeded");
            assertEquals(DimseStatus.SUCCESS, first.echo());
            first.release();
        }
    }

    private static List<PresentationContext> verification() {
        return List.of(PresentationContext.proposed(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE)));
    }

    private static RemoteAe remote(TestRouter router) { return new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()); }

    private static DimseStatus echo(TestRouter router) throws IOException {
        try (ClientAssociation a = ClientAssociation.open(ClientSettings.defaults("TESTSCU"), remote(router), verification())) {
            DimseStatus status = a.echo();
            a.release();
            return status;
        }
    }

    private static List<Boolean> waitForClose(TestRouter router) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (router.closedAssociations.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
        return router.closedAssociations;
    }

    /** A raw socket with an accepted association for Verification, advertising a 16 KiB maximum. */
    private static Socket associate(TestRouter router) throws IOException {
        Socket socket = new Socket("127.0.0.1", router.port());
        socket.setSoTimeout(10_000);
        sendAssociateRequest(socket, 16384);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        assertEquals(PduConnection.A_ASSOCIATE_AC, in.readUnsignedByte());
        in.readUnsignedByte();
        in.skipNBytes(in.readInt());
        return socket;
    }

    /** Writes an A-ASSOCIATE-RQ for Verification from RAWSCU, offering {@code maxPduLength}. */
    private static void sendAssociateRequest(Socket socket, int maxPduLength) throws IOException {
        AssociateMessage rq = new AssociateMessage(TestRouter.AE_TITLE, "RAWSCU", verification(), maxPduLength,
                Uids.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_VERSION, List.of());
        byte[] body = AssociatePduCodec.encode(rq, false);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeByte(PduConnection.A_ASSOCIATE_RQ);
        out.writeByte(0);
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    /** Reads one PDU, which must be A-ABORT; returns {source, reason}. */
    private static int[] readAbort(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int type;
        try {
            type = in.readUnsignedByte();
        } catch (EOFException e) {
            throw new AssertionError("connection closed without A-ABORT");
        }
        assertEquals(PduConnection.A_ABORT, type, "expected A-ABORT");
        in.readUnsignedByte();
        assertEquals(4, in.readInt());
        in.readUnsignedByte();
        in.readUnsignedByte();
        return new int[] {in.readUnsignedByte(), in.readUnsignedByte()};
    }
}
