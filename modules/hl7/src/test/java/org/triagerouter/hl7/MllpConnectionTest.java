package org.triagerouter.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** MLLP framing and timeouts against a bare socket peer (the end-to-end tests use python-hl7's MLLP server). */
class MllpConnectionTest {
    static final Hl7Message MESSAGE = new Hl7Message("ORU^R01", "TR1-1-ORU", "MSH|^~\\&|TRIAGE||RIS||20240101||ORU^R01^ORU_R01|TR1-1-ORU|P|2.5.1\r",
            StandardCharsets.US_ASCII);

    @Test
    void aFramedMessageGetsItsFramedAcknowledgment() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture<String> received = answer(server, body -> "\u000bMSH|^~\\&|RIS||TRIAGE||20240101||ACK|1|P|2.5.1\rMSA|AA|TR1-1-ORU\r\u001c\r");
            try (MllpConnection c = MllpConnection.open(endpoint(server.getLocalPort(), Duration.ofSeconds(5)))) {
                Hl7Ack ack = c.exchange(MESSAGE);
                assertEquals(Hl7Ack.Verdict.ACCEPTED, ack.verdict());
            }
            assertEquals(MESSAGE.text(), received.get());
        }
    }

    @Test
    void noAcknowledgmentWithinTheTimeoutIsAnError() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            answer(server, body -> null);
            long start = System.nanoTime();
            try (MllpConnection c = MllpConnection.open(endpoint(server.getLocalPort(), Duration.ofSeconds(1)))) {
                IOException e = assertThrows(IOException.class, () -> c.exchange(MESSAGE));
                assertTrue(e.getMessage().contains("no acknowledgment"), e.getMessage());
            }
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
        }
    }

    @Test
    void anAcknowledgmentOfAnotherMessageIsAnError() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            answer(server, body -> "\u000bMSH|^~\\&|RIS||TRIAGE||20240101||ACK|1|P|2.5.1\rMSA|AA|SOMETHING-ELSE\r\u001c\r");
            try (MllpConnection c = MllpConnection.open(endpoint(server.getLocalPort(), Duration.ofSeconds(5)))) {
                IOException e = assertThrows(IOException.class, () -> c.exchange(MESSAGE));
                assertTrue(e.getMessage().contains("SOMETHING-ELSE"), e.getMessage());
            }
        }
    }

    @Test
    void aPeerThatIsDownIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> MllpConnection.open(endpoint(port, Duration.ofSeconds(1))));
        assertTrue(e.getMessage().startsWith("cannot connect to hl7://127.0.0.1:" + port), e.getMessage());
    }

    private static Hl7Endpoint endpoint(int port, Duration ackTimeout) {
        return new Hl7Endpoint("127.0.0.1", port, false, null, null, Duration.ofSeconds(2), ackTimeout);
    }

    /** Accepts one connection, reads one frame, writes what {@code reply} makes of it (null: nothing) and holds on a while. */
    private static CompletableFuture<String> answer(ServerSocket server, Function<String, String> reply) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                int b = in.read();
                if (b != 0x0B) throw new IOException("no start block");
                while ((b = in.read()) != 0x1C) body.write(b);
                if (in.read() != 0x0D) throw new IOException("no carriage return after the end block");
                String text = body.toString(StandardCharsets.US_ASCII);
                String answer = reply.apply(text);
                if (answer != null) s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(2_000);
                return text;
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
    }
}
