package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;

/**
 * {@code triage-router send} and {@code echo} as a user runs them, against dcmtk's storescp: a JPEG Lossless file reaches a
 * node that takes Implicit VR Little Endian only (+xi), decompressed; a node that takes none of the syntaxes offered is a
 * failure naming them; TLS only with the command's own --tls options.
 */
class SendTransferSyntaxTest {
    @TempDir
    Path work;
    final List<Process> peers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : peers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCompressedImageReachesAnImplicitOnlyNodeDecompressed() throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        Path plain = PacsFixture.image(work.resolve("source"), Uids.newUid(), Uids.newUid(), 5, 300);
        Path compressed = images.resolve("compressed.dcm");
        run("dcmcjpeg", "+e1", plain.toString(), compressed.toString());
        Files.copy(PacsFixture.image(work.resolve("source"), Uids.newUid(), Uids.newUid(), 6, 300), images.resolve("plain.dcm"));
        int port = RouterProcess.freePort();
        Path pacs = storescp(port, "+xi");

        Result send = triageRouter("send", "PACS@127.0.0.1:" + port, images.toString());
        assertEquals(0, send.exitCode, send.output);
        assertTrue(send.output.matches("(?s).*Success 0x0000\\s+2.*"), send.output);
        try (Stream<Path> files = Files.list(pacs)) {
            List<Path> received = files.toList();
            assertEquals(2, received.size());
            for (Path f : received) assertEquals(Uids.IMPLICIT_VR_LE, Part10.readMeta(f).transferSyntaxUid());
        }
        String dump = run("dcmdump", pacs.resolve("DX." + Part10.readMeta(compressed).sopInstanceUid()).toString());
        assertTrue(dump.matches("(?s).*\\(7fe0,0010\\) OW .*# 180000,.*"), "300 x 300 16-bit pixels, uncompressed:\n" + dump);
    }

    @Test
    void aNodeThatTakesNoneOfTheOfferedSyntaxesIsAFailureNamingThem() throws Exception {
        Path config = work.resolve("storescp.cfg");
        Files.writeString(config, """
                [[TransferSyntaxes]]
                [BigEndianOnly]
                TransferSyntax1 = BigEndianExplicit
                [[PresentationContexts]]
                [BigEndian]
                PresentationContext1 = DigitalXRayImageStorageForPresentation\\BigEndianOnly
                [[Profiles]]
                [BigEndianOnly]
                PresentationContexts = BigEndian
                """);
        int port = RouterProcess.freePort();
        storescp(port, "-xf", config.toString(), "BigEndianOnly");
        Path image = PacsFixture.image(work.resolve("images"), Uids.newUid(), Uids.newUid(), 7, 200);
        Result send = triageRouter("send", "PACS@127.0.0.1:" + port, image.toString());
        assertEquals(1, send.exitCode, send.output);
        assertTrue(send.output.matches("(?s).*Failure \\(no presentation context\\)\\s+1.*"), send.output);
        assertTrue(send.output.contains("offered Explicit VR Little Endian (1.2.840.10008.1.2.1), Implicit VR Little Endian (1.2.840.10008.1.2)"),
                send.output);
    }

    @Test
    void echoCallsATlsNodeWithItsOwnTrustStoreOnly() throws Exception {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work.resolve("key.pem").toString(), "-out",
                work.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=pacs", "-addext", "subjectAltName=IP:127.0.0.1");
        run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "pacs", "-file",
                work.resolve("cert.pem").toString(), "-storetype", "PKCS12", "-keystore", work.resolve("trust.p12").toString(), "-storepass", "trustpw");
        int port = RouterProcess.freePort();
        storescp(port, "+tls", work.resolve("key.pem").toString(), work.resolve("cert.pem").toString(), "-pw", "-ic");
        String target = "PACS@127.0.0.1:" + port;
        assertEquals(1, triageRouter("echo", "--timeout", "5", target).exitCode, "plain TCP to a TLS node fails");
        Result echo = triageRouter("echo", "--tls", "--trust-store", work.resolve("trust.p12").toString(), "--trust-store-password", "trustpw", target);
        assertEquals(0, echo.exitCode, echo.output);
        assertTrue(echo.output.contains("C-ECHO " + target + ": 0x0000 Success"), echo.output);
        Result misuse = triageRouter("echo", "--trust-store", work.resolve("trust.p12").toString(), target);
        assertEquals(2, misuse.exitCode, misuse.output);
        assertTrue(misuse.output.contains("apply only with --tls"), misuse.output);
    }

    record Result(int exitCode, String output) {}

    private Result triageRouter(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), output);
    }

    private Path storescp(int port, String... options) throws Exception {
        Path out = Files.createDirectories(work.resolve("pacs-" + port));
        List<String> command = new ArrayList<>(List.of("storescp", "-aet", "PACS", "-od", out.toString()));
        command.addAll(List.of(options));
        command.add(String.valueOf(port));
        peers.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("storescp-" + port + ".log").toFile()).start());
        PacsFixture.await("storescp listening", 10, () -> PacsFixture.accepts(port));
        return out;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
