package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.RawPdus.Proposal;
import org.triagerouter.dicom.testing.TestRouter;

/** DIMSE messages written byte by byte to the store SCP, for the cases a well-behaved toolkit never sends. */
class DimseEdgeCasesTest {
    @TempDir
    Path work;

    private static final List<Proposal> CR_AND_DX = List.of(
            new Proposal(1, Uids.CR_IMAGE_STORAGE, Uids.EXPLICIT_VR_LE),
            new Proposal(3, Uids.DX_FOR_PRESENTATION, Uids.EXPLICIT_VR_LE),
            new Proposal(5, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE));

    /** PS3.4 B.2.3 / PS3.7 C: 0122H "Refused: SOP Class not supported", decided from the command before any data is kept. */
    @Test
    void storeWhoseSopClassDiffersFromItsContextIsRefusedBeforeItsDataSetIsWritten() throws Exception {
        Path image = SyntheticChestImages.writeSet(work.resolve("images"), 1, 600, 500, 3).get(0); // DX
        Part10Meta meta = Part10.readMeta(image);
        byte[] all = Files.readAllBytes(image);
        byte[] dataSet = Arrays.copyOfRange(all, (int) meta.dataSetOffset(), all.length);
        try (TestRouter router = TestRouter.builder(work.resolve("router")).start();
             Socket socket = RawPdus.associate(router.port(), TestRouter.AE_TITLE, "MODALITY", CR_AND_DX)) {
            // The DX instance on the CR context (1).
            byte[] command = CommandSet.storeRequest(7, meta.sopClassUid(), meta.sopInstanceUid(), Priority.MEDIUM).encode();
            int half = dataSet.length / 2;
            RawPdus.send(socket, RawPdus.pData(1, true, true, command), RawPdus.pData(1, false, false, Arrays.copyOf(dataSet, half)));
            Thread.sleep(300);
            assertEquals(0, router.leftoverIncomingFiles(), "nothing of the refused data set is on disk while it arrives");
            RawPdus.send(socket, RawPdus.pData(1, false, true, Arrays.copyOfRange(dataSet, half, dataSet.length)));
            CommandSet response = readResponse(socket, 1);
            assertEquals(CommandSet.C_STORE_RSP, response.commandField());
            assertEquals(DimseStatus.SOP_CLASS_NOT_SUPPORTED, response.status().code(), response.status().toString());
            assertEquals(7, response.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
            assertEquals(0, router.leftoverIncomingFiles());
            assertTrue(router.received.isEmpty());

            // The same instance on its own context is stored: the association goes on.
            command = CommandSet.storeRequest(9, meta.sopClassUid(), meta.sopInstanceUid(), Priority.MEDIUM).encode();
            RawPdus.send(socket, RawPdus.pData(3, true, true, command), RawPdus.pData(3, false, true, dataSet));
            assertEquals(DimseStatus.SUCCESS, readResponse(socket, 3).status());
            assertEquals(1, router.received.size());
        }
    }

    /** PS3.8 AA-8 and Sta13: after its A-ABORT the router waits for us to close, and closes itself only when ARTIM expires. */
    @Test
    void afterAnAbortTheRouterWaitsForThePeerToCloseBoundedByArtim() throws Exception {
        try (TestRouter router = TestRouter.builder(work).artimTimeout(Duration.ofSeconds(2)).start();
             Socket socket = RawPdus.associate(router.port(), TestRouter.AE_TITLE, "MODALITY", CR_AND_DX)) {
            // A message on a context that was never proposed.
            RawPdus.send(socket, RawPdus.pData(9, true, true, CommandSet.echoRequest(1).encode()));
            RawPdus.Pdu abort = RawPdus.read(socket, PduConnection.A_ABORT);
            assertArrayEquals(new int[] {0, 2, ProtocolException.INVALID_PDU_PARAMETER_VALUE}, abort.resultSourceReason());
            long start = System.nanoTime();
            socket.setSoTimeout(1000);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "the router closed at once after its abort");
            socket.setSoTimeout(5000);
            assertEquals(-1, socket.getInputStream().read(), "closed by the router when ARTIM expired");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds > 1.5 && seconds < 3.5, "closed after " + seconds + " s");
            assertEquals(List.of(false), router.closedAssociations, "the handler heard of the abort");
        }
    }

    /** A peer that closes after the abort ends the wait at once: its connection slot is free again long before ARTIM. */
    @Test
    void peerThatClosesAfterTheAbortEndsTheWaitAtOnce() throws Exception {
        // One association slot means two connection slots: two aborted connections still waiting would lock a third out.
        try (TestRouter router = TestRouter.builder(work).maxAssociations(1).artimTimeout(Duration.ofSeconds(30)).start()) {
            for (int i = 0; i < 2; i++) {
                try (Socket socket = RawPdus.associate(router.port(), TestRouter.AE_TITLE, "MODALITY", CR_AND_DX)) {
                    RawPdus.send(socket, RawPdus.pData(9, true, true, CommandSet.echoRequest(1).encode()));
                    RawPdus.read(socket, PduConnection.A_ABORT);
                }
            }
            // Served within seconds, not after the 30 s ARTIM (a busy machine may take a moment to see the closes).
            long deadline = System.nanoTime() + 5_000_000_000L;
            DimseStatus status = null;
            while (status == null && System.nanoTime() < deadline) {
                try (Socket next = new Socket("127.0.0.1", router.port())) {
                    next.setSoTimeout(5000);
                    RawPdus.send(next, RawPdus.associateRequest(TestRouter.AE_TITLE, "MODALITY", CR_AND_DX));
                    if (RawPdus.read(next).type() != PduConnection.A_ASSOCIATE_AC) continue;
                    RawPdus.send(next, RawPdus.pData(5, true, true, CommandSet.echoRequest(2).encode()));
                    status = readResponse(next, 5).status();
                } catch (IOException | AssertionError stillHeld) {
                    Thread.sleep(100); // refused: both connection slots still taken
                }
            }
            assertEquals(DimseStatus.SUCCESS, status, "the aborted connections kept their slots after the peer closed");
        }
    }

    /** (0000,0800) is required: without it nobody can tell whether a data set follows, so the association is aborted. */
    @Test
    void commandWithoutDataSetTypeIsAbortedNotTakenAsAnnouncingADataSet() throws Exception {
        try (TestRouter router = TestRouter.builder(work).idleTimeout(Duration.ofSeconds(3)).start();
             Socket socket = RawPdus.associate(router.port(), TestRouter.AE_TITLE, "MODALITY", CR_AND_DX)) {
            CommandSet echo = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, Uids.VERIFICATION)
                    .putUs(CommandSet.COMMAND_FIELD, CommandSet.C_ECHO_RQ).putUs(CommandSet.MESSAGE_ID, 1);
            RawPdus.send(socket, RawPdus.pData(5, true, true, echo.encode()));
            long start = System.nanoTime();
            RawPdus.Pdu abort = RawPdus.read(socket, PduConnection.A_ABORT);
            assertArrayEquals(new int[] {0, 2, ProtocolException.INVALID_PDU_PARAMETER_VALUE}, abort.resultSourceReason());
            assertTrue((System.nanoTime() - start) / 1e9 < 2, "aborted at once, not after waiting for a data set");
        }
    }

    /** PS3.7 9.3.2.3: C-CANCEL has no response; and a C-STORE or C-ECHO cannot be cancelled, so it is ignored. */
    @Test
    void cancelIsNotAnswered() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             Socket socket = RawPdus.associate(router.port(), TestRouter.AE_TITLE, "MODALITY", CR_AND_DX)) {
            CommandSet cancel = new CommandSet().putUs(CommandSet.COMMAND_FIELD, CommandSet.C_CANCEL_RQ)
                    .putUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO, 7).putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
            RawPdus.send(socket, RawPdus.pData(5, true, true, cancel.encode()), RawPdus.pData(5, true, true, CommandSet.echoRequest(8).encode()));
            CommandSet first = readResponse(socket, 5);
            assertEquals(CommandSet.C_ECHO_RSP, first.commandField(), "the first answer is the echo's");
            assertEquals(8, first.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
            assertEquals(DimseStatus.SUCCESS, first.status());
        }
    }

    /** A vendor's private storage SOP class, once configured, is received, validated and handed over like any other. */
    @Test
    void privateStorageSopClassIsStoredWhenConfigured() throws Exception {
        Path image = SyntheticChestImages.writeSet(work.resolve("images"), 1, 400, 300, 4).get(0);
        AttributeList list = new AttributeList();
        list.read(image.toFile());
        list.remove(TagFromName.SOPClassUID);
        UniqueIdentifierAttribute sopClass = new UniqueIdentifierAttribute(TagFromName.SOPClassUID);
        sopClass.addValue(AssociationNegotiationTest.PRIVATE_CR);
        list.put(sopClass);
        FileMetaInformation.addFileMetaInformation(list, Uids.EXPLICIT_VR_LE, "TEST");
        Path privateFile = work.resolve("private.dcm");
        list.write(privateFile.toFile(), Uids.EXPLICIT_VR_LE, true, true);
        try (TestRouter router = TestRouter.builder(work.resolve("router")).extraStorageSopClasses(AssociationNegotiationTest.PRIVATE_CR).start();
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("VENDOR"),
                     new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()),
                     ClientAssociation.contextsFor(List.of(Part10.readMeta(privateFile))))) {
            assertEquals(DimseStatus.SUCCESS, association.store(privateFile, Priority.MEDIUM));
            association.release();
            assertEquals(AssociationNegotiationTest.PRIVATE_CR, router.received.get(0).sopClassUid());
        }
    }

    /** Reads one response command on {@code contextId} (no data set follows a C-STORE-RSP or C-ECHO-RSP). */
    private static CommandSet readResponse(Socket socket, int contextId) throws IOException {
        RawPdus.Pdu pdu = RawPdus.read(socket, PduConnection.P_DATA_TF);
        byte[] body = pdu.body();
        assertEquals(contextId, body[4] & 0xFF, "presentation context of the response");
        assertEquals(0x03, body[5] & 0x03, "one complete command fragment");
        int length = java.nio.ByteBuffer.wrap(body).getInt() - 2;
        return CommandSet.decode(Arrays.copyOfRange(body, 6, 6 + length), length);
    }
}
