package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.RawPdus.ContextResult;
import org.triagerouter.dicom.net.RawPdus.Proposal;
import org.triagerouter.dicom.testing.TestRouter;

/** A-ASSOCIATE-RQs written byte by byte, and what the router answers to each (PS3.8 9.3.2-9.3.4). */
class AssociationNegotiationTest {
    /** A private storage SOP class such as a vendor's own CR: outside the standard storage root. */
    static final String PRIVATE_CR = "1.3.6.1.4.1.99999.5.1.1";

    @TempDir
    Path work;

    @Test
    void nothingAcceptableIsAnAcceptWithEachContextsReasonNotAReject() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start();
             Socket socket = connect(router)) {
            RawPdus.send(socket, RawPdus.associateRequest(TestRouter.AE_TITLE, "MODALITY", List.of(
                    new Proposal(1, PRIVATE_CR, Uids.EXPLICIT_VR_LE),
                    new Proposal(3, Uids.DX_FOR_PRESENTATION, Uids.JPEG_LS_LOSSLESS))));
            RawPdus.Pdu ac = RawPdus.read(socket, PduConnection.A_ASSOCIATE_AC);
            assertEquals(List.of(new ContextResult(1, PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, Uids.IMPLICIT_VR_LE),
                            new ContextResult(3, PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED, Uids.IMPLICIT_VR_LE)),
                    RawPdus.contextResults(ac.body()));
            RawPdus.send(socket, RawPdus.pdu(PduConnection.A_RELEASE_RQ, new byte[4]));
            RawPdus.read(socket, PduConnection.A_RELEASE_RP);
        }
    }

    @Test
    void evenPresentationContextIdIsAnInvalidPduParameter() throws Exception {
        assertAborted(List.of(new Proposal(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE), new Proposal(2, Uids.CR_IMAGE_STORAGE, Uids.EXPLICIT_VR_LE)));
    }

    @Test
    void repeatedPresentationContextIdIsAnInvalidPduParameter() throws Exception {
        assertAborted(List.of(new Proposal(3, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE), new Proposal(3, Uids.CR_IMAGE_STORAGE, Uids.EXPLICIT_VR_LE)));
    }

    @Test
    void requestWithoutPresentationContextsIsAnInvalidPduParameter() throws Exception {
        assertAborted(List.of());
    }

    @Test
    void the128OddIdsAreAcceptedButA129thContextIsNot() throws Exception {
        List<Proposal> all = new ArrayList<>();
        for (int id = 1; id <= 255; id += 2) all.add(new Proposal(id, Uids.CR_IMAGE_STORAGE, Uids.EXPLICIT_VR_LE));
        assertEquals(128, all.size());
        try (TestRouter router = TestRouter.builder(work.resolve("a")).start();
             Socket socket = connect(router)) {
            RawPdus.send(socket, RawPdus.associateRequest(TestRouter.AE_TITLE, "MODALITY", all));
            List<ContextResult> results = RawPdus.contextResults(RawPdus.read(socket, PduConnection.A_ASSOCIATE_AC).body());
            assertEquals(128, results.size());
            assertTrue(results.stream().allMatch(r -> r.result() == PresentationContext.ACCEPTANCE));
        }
        all.add(new Proposal(1, Uids.DX_FOR_PRESENTATION, Uids.EXPLICIT_VR_LE));
        assertAborted(all);
    }

    @Test
    void allSpacesCallingOrCalledAeTitleIsRejected() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start()) {
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField(" ".repeat(16)), 3);
            assertRejected(router, RawPdus.aeField(" ".repeat(16)), RawPdus.aeField("MODALITY"), 7);
        }
    }

    @Test
    void controlCharactersInAeTitlesAreRejectedAndNeverLoggedRaw() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(ServerAssociation.class);
        logs.start();
        logger.addAppender(logs);
        try (TestRouter router = TestRouter.builder(work).start()) {
            // A line feed that would forge a log line, a trailing BEL that a trim() would have hidden, a byte above 7FH.
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("CR1\nINFO forged"), 3);
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("CR1\u0007"), 3);
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("CR\u00E91"), 3);
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("CR\\1"), 3);
            assertRejected(router, RawPdus.aeField("TRI\tAGE"), RawPdus.aeField("CR1"), 7);
            assertTrue(router.closedAssociations.isEmpty(), "no association reached the handler");
        } finally {
            logger.detachAppender(logs);
        }
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("'CR1\\x0AINFO forged'")), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7F), "raw control character logged: " + line);
        }
    }

    @Test
    void knownSenderFromAnotherHostIsRejectedAsCallingAeNotRecognized() throws Exception {
        try (TestRouter router = TestRouter.builder(work).senders(
                new SenderProfile("CR_ROOM_1", List.of(HostPattern.parse("10.20.30.0/24")), Set.of(), List.of()),
                new SenderProfile("CR_ROOM_2", List.of(HostPattern.parse("192.0.2.7"), HostPattern.parse("127.0.0.0/8")), Set.of(), List.of()),
                new SenderProfile("CR_ROOM_3", List.of(HostPattern.parse("localhost")), Set.of(), List.of())).start()) {
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("CR_ROOM_1"), 3);
            assertAccepted(router, "CR_ROOM_2");
            assertAccepted(router, "CR_ROOM_3");
            assertAccepted(router, "UNKNOWN_AE");
        }
    }

    @Test
    void knownSendersPassTheAllowListUnknownOnesStillMeetIt() throws Exception {
        try (TestRouter router = TestRouter.builder(work).allowedCallingAes("PACS").senders(
                new SenderProfile("CR_ROOM_1", List.of(HostPattern.parse("127.0.0.1")), Set.of(), List.of())).start()) {
            assertAccepted(router, "CR_ROOM_1");
            assertAccepted(router, "PACS");
            assertRejected(router, RawPdus.aeField(TestRouter.AE_TITLE), RawPdus.aeField("OTHER"), 3);
        }
    }

    @Test
    void senderProfileHasItsOwnSopClassesAndTransferSyntaxes() throws Exception {
        try (TestRouter router = TestRouter.builder(work).senders(
                new SenderProfile("VENDOR_CR", List.of(), Set.of(PRIVATE_CR, Uids.CR_IMAGE_STORAGE), List.of(Uids.EXPLICIT_VR_LE))).start()) {
            List<Proposal> proposals = List.of(
                    new Proposal(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE),
                    new Proposal(3, PRIVATE_CR, Uids.JPEG_2000_LOSSLESS, Uids.EXPLICIT_VR_LE),
                    new Proposal(5, Uids.CR_IMAGE_STORAGE, Uids.JPEG_2000_LOSSLESS),
                    new Proposal(7, Uids.DX_FOR_PRESENTATION, Uids.EXPLICIT_VR_LE));
            assertEquals(List.of(new ContextResult(1, 0, Uids.IMPLICIT_VR_LE), new ContextResult(3, 0, Uids.EXPLICIT_VR_LE),
                    new ContextResult(5, PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED, Uids.IMPLICIT_VR_LE),
                    new ContextResult(7, PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, Uids.IMPLICIT_VR_LE)), negotiate(router, "VENDOR_CR", proposals));
            // Anyone else keeps the defaults: the private class is refused, JPEG 2000 and DX are accepted.
            assertEquals(List.of(new ContextResult(1, 0, Uids.IMPLICIT_VR_LE),
                    new ContextResult(3, PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED, Uids.IMPLICIT_VR_LE),
                    new ContextResult(5, 0, Uids.JPEG_2000_LOSSLESS), new ContextResult(7, 0, Uids.EXPLICIT_VR_LE)), negotiate(router, "OTHER", proposals));
        }
    }

    @Test
    void extraStorageSopClassIsAcceptedFromEverySender() throws Exception {
        try (TestRouter router = TestRouter.builder(work).extraStorageSopClasses(PRIVATE_CR).start()) {
            assertEquals(List.of(new ContextResult(1, 0, Uids.EXPLICIT_VR_LE)),
                    negotiate(router, "ANYONE", List.of(new Proposal(1, PRIVATE_CR, Uids.EXPLICIT_VR_LE))));
        }
    }

    @Test
    void hostPatternsMatchAddressesNetworksAndNames() throws Exception {
        java.net.InetAddress local = java.net.InetAddress.getByName("127.0.0.1");
        assertTrue(HostPattern.parse("127.0.0.1").matches(local));
        assertTrue(HostPattern.parse("127.0.0.0/8").matches(local));
        assertTrue(HostPattern.parse("0.0.0.0/0").matches(local));
        assertFalse(HostPattern.parse("127.0.0.2").matches(local));
        assertFalse(HostPattern.parse("128.0.0.0/1").matches(local));
        assertTrue(HostPattern.parse("10.1.2.0/23").matches(java.net.InetAddress.getByName("10.1.3.200")));
        assertFalse(HostPattern.parse("10.1.2.0/24").matches(java.net.InetAddress.getByName("10.1.3.200")));
        assertTrue(HostPattern.parse("::1").matches(java.net.InetAddress.getByName("::1")));
        assertTrue(HostPattern.parse("fd00::/8").matches(java.net.InetAddress.getByName("fd12::5")));
        assertFalse(HostPattern.parse("::1").matches(local), "IPv4 and IPv6 never match each other");
        assertTrue(HostPattern.parse("localhost").matches(local));
        assertFalse(HostPattern.parse("no-such-host.invalid").matches(local));
        for (String bad : List.of("10.0.0.0/33", "300.1.1.1", "host/24", "bad host", "", "10.0.0.1/x")) {
            assertThrows(bad);
        }
    }

    private static void assertThrows(String pattern) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> HostPattern.parse(pattern), pattern);
    }

    private void assertAborted(List<Proposal> proposals) throws IOException {
        try (TestRouter router = TestRouter.builder(work.resolve("abort" + System.nanoTime())).start();
             Socket socket = connect(router)) {
            RawPdus.send(socket, RawPdus.associateRequest(TestRouter.AE_TITLE, "MODALITY", proposals));
            RawPdus.Pdu abort = RawPdus.read(socket, PduConnection.A_ABORT);
            assertArrayEquals(new int[] {0, 2, ProtocolException.INVALID_PDU_PARAMETER_VALUE}, abort.resultSourceReason(),
                    "A-ABORT from the service provider, invalid PDU parameter value");
        }
    }

    private static void assertRejected(TestRouter router, byte[] called, byte[] calling, int reason) throws IOException {
        try (Socket socket = connect(router)) {
            RawPdus.send(socket, RawPdus.associateRequest(called, calling, List.of(new Proposal(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE)), 16384));
            RawPdus.Pdu rj = RawPdus.read(socket, PduConnection.A_ASSOCIATE_RJ);
            assertArrayEquals(new int[] {AssociateReject.PERMANENT, AssociateReject.SOURCE_SERVICE_USER, reason}, rj.resultSourceReason());
        }
    }

    private static void assertAccepted(TestRouter router, String calling) throws IOException {
        assertEquals(List.of(new ContextResult(1, 0, Uids.IMPLICIT_VR_LE)),
                negotiate(router, calling, List.of(new Proposal(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LE))));
    }

    private static List<ContextResult> negotiate(TestRouter router, String calling, List<Proposal> proposals) throws IOException {
        try (Socket socket = connect(router)) {
            RawPdus.send(socket, RawPdus.associateRequest(TestRouter.AE_TITLE, calling, proposals));
            List<ContextResult> results = RawPdus.contextResults(RawPdus.read(socket, PduConnection.A_ASSOCIATE_AC).body());
            RawPdus.send(socket, RawPdus.pdu(PduConnection.A_RELEASE_RQ, new byte[4]));
            RawPdus.read(socket, PduConnection.A_RELEASE_RP);
            return results;
        }
    }

    private static Socket connect(TestRouter router) throws IOException {
        Socket socket = new Socket("127.0.0.1", router.port());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
