package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.triagerouter.dicom.Uids;

/** The SCU against a peer written byte by byte: responses that answer something else, and links of every speed. */
class ScuResponseTest {
    private static final String INSTANCE = "1.2.3.4.5.6.7.8";
    private static final List<PresentationContext> CONTEXTS = List.of(
            PresentationContext.proposed(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE)),
            PresentationContext.proposed(3, Uids.CR_IMAGE_STORAGE, List.of(Uids.EXPLICIT_VR_LE)));

    /** What the fake SCP answers to a request (its command), or null for no answer. */
    interface Answer {
        byte[] to(CommandSet request, int contextId);
    }

    @Test
    void echoResponseOnAnotherPresentationContextIsAProtocolError() throws Exception {
        try (FakeScp scp = new FakeScp(0, 0, (rq, ctx) -> RawPdus.pData(3, true, true,
                CommandSet.responseTo(rq, CommandSet.C_ECHO_RSP, DimseStatus.SUCCESS).encode()))) {
            ClientAssociation association = open(scp, ClientSettings.defaults("ROUTER"));
            ProtocolException e = assertThrows(ProtocolException.class, association::echo);
            assertTrue(e.getMessage().contains("presentation context 3, sent on 1"), e.getMessage());
            assertEquals(PduConnection.A_ABORT, scp.lastPduType.get(5, TimeUnit.SECONDS), "the SCU aborted");
        }
    }

    @Test
    void storeResponseForAnotherInstanceIsAProtocolError() throws Exception {
        try (FakeScp scp = new FakeScp(0, 0, (rq, ctx) -> {
            CommandSet rsp = CommandSet.responseTo(rq, CommandSet.C_STORE_RSP, DimseStatus.SUCCESS);
            rsp.putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, "1.2.3.999");
            return RawPdus.pData(ctx, true, true, rsp.encode());
        })) {
            ClientAssociation association = open(scp, ClientSettings.defaults("ROUTER"));
            ProtocolException e = assertThrows(ProtocolException.class, () -> store(association, 1000));
            assertTrue(e.getMessage().contains("Affected SOP Instance UID 1.2.3.999"), e.getMessage());
            assertEquals(PduConnection.A_ABORT, scp.lastPduType.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void storeResponseWithTheRightIdentityIsTaken() throws Exception {
        try (FakeScp scp = new FakeScp(0, 0, (rq, ctx) -> RawPdus.pData(ctx, true, true,
                CommandSet.responseTo(rq, CommandSet.C_STORE_RSP, DimseStatus.of(0xB000)).encode()))) {
            ClientAssociation association = open(scp, ClientSettings.defaults("ROUTER"));
            assertEquals(0xB000, store(association, 1000).code());
            association.abort();
        }
    }

    /**
     * 2 MB at about 250 KB/s with a DIMSE timeout of 3 s: a deadline assuming 1 MB/s would abort it after 5 s, while
     * the link needs 8. Each PDU the peer takes is progress; the timeout then counts from our last byte.
     */
    @Test
    void slowLinkThatKeepsTakingDataIsNotCutOff() throws Exception {
        try (FakeScp scp = new FakeScp(250_000, 16 * 1024, (rq, ctx) -> RawPdus.pData(ctx, true, true,
                CommandSet.responseTo(rq, CommandSet.C_STORE_RSP, DimseStatus.SUCCESS).encode()))) {
            ClientAssociation association = open(scp, ClientSettings.defaults("ROUTER").withDimseTimeout(Duration.ofSeconds(3)));
            long start = System.nanoTime();
            assertEquals(DimseStatus.SUCCESS, store(association, 2_000_000));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds > 6, "the link was not slow (" + seconds + " s): the test proves nothing");
            association.abort();
        }
    }

    @Test
    void peerThatStopsReadingIsCutOffAfterTheDimseTimeout() throws Exception {
        try (FakeScp scp = new FakeScp(-1, 16 * 1024, (rq, ctx) -> null)) {
            ClientAssociation association = open(scp, ClientSettings.defaults("ROUTER").withDimseTimeout(Duration.ofSeconds(1)));
            long start = System.nanoTime();
            DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> store(association, 64_000_000));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("stopped taking our message"), e.getMessage());
            assertTrue(seconds < 5, "gave up after " + seconds + " s");
        }
    }

    private static ClientAssociation open(FakeScp scp, ClientSettings settings) throws IOException {
        return ClientAssociation.open(settings, new RemoteAe("FAKE", "127.0.0.1", scp.port()), CONTEXTS);
    }

    private static DimseStatus store(ClientAssociation association, int length) throws IOException {
        InputStream zeros = new InputStream() {
            private long left = length;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 0);
                left -= n;
                return n;
            }
        };
        return association.store(Uids.CR_IMAGE_STORAGE, INSTANCE, Uids.EXPLICIT_VR_LE, zeros, length, Priority.MEDIUM);
    }

    /**
     * Accepts one association, accepting every proposed context with its first transfer syntax, then for each request
     * sends what {@code answer} gives. Reads at {@code bytesPerSecond} (0: as fast as it can, negative: never after the
     * association request), with the receive buffer {@code receiveBuffer} (0: the system's).
     */
    private static final class FakeScp implements AutoCloseable {
        final ServerSocket server;
        final CompletableFuture<Integer> lastPduType = new CompletableFuture<>();
        private final Thread thread;

        FakeScp(int bytesPerSecond, int receiveBuffer, Answer answer) throws IOException {
            server = new ServerSocket();
            if (receiveBuffer > 0) server.setReceiveBufferSize(receiveBuffer);
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            thread = Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    serve(socket, bytesPerSecond, answer);
                } catch (IOException | RuntimeException | InterruptedException ignored) {
                    // the SCU went away
                }
            });
        }

        int port() { return server.getLocalPort(); }

        private void serve(Socket socket, int bytesPerSecond, Answer answer) throws IOException, InterruptedException {
            RawPdus.Pdu rqPdu = RawPdus.read(socket, PduConnection.A_ASSOCIATE_RQ);
            AssociateMessage rq = AssociatePduCodec.decode(rqPdu.body(), false, null);
            List<PresentationContext> accepted = new ArrayList<>();
            for (PresentationContext pc : rq.presentationContexts()) {
                accepted.add(PresentationContext.accepted(pc.id(), pc.abstractSyntax(), pc.transferSyntaxes().get(0)));
            }
            AssociateMessage ac = new AssociateMessage(rq.calledAeTitle(), rq.callingAeTitle(), accepted, 16384,
                    "1.2.3.4", "FAKE", List.of());
            RawPdus.send(socket, RawPdus.pdu(PduConnection.A_ASSOCIATE_AC, AssociatePduCodec.encode(ac, true)));
            if (bytesPerSecond < 0) {
                Thread.sleep(60_000);
                return;
            }
            InputStream in = bytesPerSecond == 0 ? socket.getInputStream() : new Throttled(socket.getInputStream(), bytesPerSecond);
            DataInputStream data = new DataInputStream(in);
            java.io.ByteArrayOutputStream command = new java.io.ByteArrayOutputStream();
            int commandContext = 0;
            while (true) {
                int type = data.readUnsignedByte();
                data.readUnsignedByte();
                int length = data.readInt();
                if (type != PduConnection.P_DATA_TF) {
                    data.skipNBytes(length);
                    lastPduType.complete(type);
                    return;
                }
                int left = length;
                while (left > 0) {
                    int itemLength = data.readInt();
                    int contextId = data.readUnsignedByte();
                    int control = data.readUnsignedByte();
                    byte[] value = data.readNBytes(itemLength - 2);
                    left -= 4 + itemLength;
                    if ((control & 1) != 0) {
                        command.writeBytes(value);
                        commandContext = contextId;
                    }
                    boolean last = (control & 2) != 0;
                    if (!last) continue;
                    CommandSet request = CommandSet.decode(command.toByteArray(), command.size());
                    if ((control & 1) != 0 && request.hasDataSet()) continue; // its data set follows
                    command.reset();
                    byte[] reply = answer.to(request, commandContext);
                    if (reply != null) RawPdus.send(socket, reply);
                }
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.interrupt();
            thread.join(5000);
        }
    }

    /** An input stream that delivers at most {@code bytesPerSecond}, in 16 KB steps. */
    private static final class Throttled extends java.io.FilterInputStream {
        private final int bytesPerSecond;
        private final long start = System.nanoTime();
        private long delivered;

        Throttled(InputStream in, int bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long due = start + delivered * 1_000_000_000L / bytesPerSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            int n = super.read(b, off, Math.min(len, 16 * 1024));
            if (n > 0) delivered += n;
            return n;
        }
    }
}
