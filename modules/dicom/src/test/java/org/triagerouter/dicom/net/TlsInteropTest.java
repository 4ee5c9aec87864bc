package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.TestCertificates;
import org.triagerouter.dicom.testing.TestCertificates.Issued;
import org.triagerouter.dicom.testing.TestRouter;

/**
 * DICOM over TLS against dcmtk (built with OpenSSL) both ways, and OpenSSL's s_client for what dcmtk will not send:
 * our BCP 195 profile (PS3.15 B.12) accepts dcmtk's BCP 195 profiles and refuses TLS 1.1, CBC and static-RSA suites,
 * untrusted certificates and, on the SCU side, a server certificate that names another host. Maven runs it in a JVM
 * whose java.security permits all of those (src/test/resources/permissive-tls.security), so the refusals are ours.
 */
class TlsInteropTest {
    private static final String PASSWORD = TestCertificates.PASSWORD;

    @TempDir
    static Path keys;
    static TestCertificates site;
    static Issued router;
    static Issued modality;
    static Issued pacs;
    static Issued pacsElsewhere;
    static Issued stranger;
    static Path image;
    static Part10Meta imageMeta;

    @TempDir
    Path work;

    @BeforeAll
    static void makeCertificatesAndAnImage() throws Exception {
        site = TestCertificates.authority(keys, "site");
        router = site.issue("router", "DNS:localhost", "IP:127.0.0.1");
        modality = site.issue("modality");
        pacs = site.issue("pacs", "DNS:localhost", "IP:127.0.0.1");
        pacsElsewhere = site.issue("pacs-elsewhere", "DNS:pacs.elsewhere.example", "IP:192.0.2.7");
        stranger = TestCertificates.selfSigned(keys, "stranger");
        image = SyntheticChestImages.writeSet(keys.resolve("images"), 1, 256, 256, 3).get(0);
        imageMeta = Part10.readMeta(image);
    }

    // ---- our listener, dcmtk and OpenSSL calling ----

    @ParameterizedTest
    @ValueSource(strings = {"--profile-bcp195-nd", "--profile-bcp195", "--profile-bcp195-ex"})
    void storescuStoresOverTlsWithEachBcp195Profile(String profile) throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, ClientCertificateAeTitles.NONE)).start()) {
            ExternalTool.Result result = storescu(listener.port(), "MODALITY", modality, profile);
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(1, listener.received.size(), result.output());
            assertEquals(imageMeta.sopInstanceUid(), listener.received.get(0).sopInstanceUid());
        }
    }

    @Test
    void echoscuOverTls() throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, ClientCertificateAeTitles.NONE)).start()) {
            ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(60), List.of("echoscu", "-aet", "MODALITY", "-aec",
                    TestRouter.AE_TITLE, "+tls", modality.key().toString(), modality.certificate().toString(), "-pw",
                    "+cf", site.caCertificate().toString(), "--profile-bcp195-nd", "127.0.0.1", String.valueOf(listener.port())));
            assertEquals(0, result.exitCode(), result.output());
        }
    }

    @Test
    void listenerNegotiatesTls13AndTls12WithEcdheAeadSuites() throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, ClientCertificateAeTitles.NONE)).start()) {
            assertTrue(sClient(listener.port(), "-tls1_3").contains("TLSv1.3"));
            for (String suite : List.of("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305")) {
                String printed = sClient(listener.port(), "-tls1_2", "-cipher", suite);
                assertTrue(printed.contains("Cipher is " + suite), printed);
            }
        }
    }

    @Test
    void listenerRefusesTls11() throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(false, ClientCertificateAeTitles.NONE)).start()) {
            // SECLEVEL=0 lets OpenSSL 3 offer TLS 1.1 at all; the refusal must come from our side, as an alert.
            String printed = sClient(listener.port(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            assertTrue(printed.contains("alert protocol version") || printed.contains("alert handshake failure"), printed);
            assertTrue(printed.contains("Cipher is (NONE)"), printed);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA", // CBC only
            "AES128-GCM-SHA256:AES256-GCM-SHA384", // static RSA key exchange
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"}) // finite-field DHE
    void listenerRefusesTls12SuitesOutsideTheProfile(String suites) throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(false, ClientCertificateAeTitles.NONE)).start()) {
            String printed = sClient(listener.port(), "-tls1_2", "-cipher", suites);
            assertTrue(printed.contains("alert handshake failure"), printed);
            assertTrue(printed.contains("Cipher is (NONE)"), printed);
        }
    }

    @Test
    void listenerRefusesAClientCertificateNoTrustedCaIssued() throws Exception {
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, ClientCertificateAeTitles.NONE)).start()) {
            ExternalTool.Result result = storescu(listener.port(), "MODALITY", stranger, "--profile-bcp195-nd");
            assertNotEquals(0, result.exitCode(), result.output());
            assertEquals(0, listener.received.size());
        }
    }

    @Test
    void listenerRejectsACallingAeTitleTheCertificateIsNotBoundTo() throws Exception {
        ClientCertificateAeTitles bindings = ClientCertificateAeTitles.parse(List.of("MODALITY=modality", "CT1=ct1"));
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, bindings)).start()) {
            ExternalTool.Result impostor = storescu(listener.port(), "CT1", modality, "--profile-bcp195-nd");
            assertNotEquals(0, impostor.exitCode(), impostor.output());
            assertTrue(impostor.output().contains("Calling AE Title Not Recognized"), impostor.output());
            ExternalTool.Result unbound = storescu(listener.port(), "OTHER", modality, "--profile-bcp195-nd");
            assertTrue(unbound.output().contains("Calling AE Title Not Recognized"), unbound.output());
            assertEquals(0, listener.received.size());

            ExternalTool.Result genuine = storescu(listener.port(), "MODALITY", modality, "--profile-bcp195-nd");
            assertEquals(0, genuine.exitCode(), genuine.output());
            assertEquals(1, listener.received.size());
        }
    }

    @Test
    void listenerAcceptsACallerBoundByTheFingerprintOpensslPrints() throws Exception {
        String printed = ExternalTool.run("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", modality.certificate().toString()).output();
        String fingerprint = printed.substring(printed.indexOf('=') + 1).trim(); // "sha256 Fingerprint=AB:CD:…"
        ClientCertificateAeTitles bindings = ClientCertificateAeTitles.parse(List.of("MODALITY=sha256:" + fingerprint));
        try (TestRouter listener = TestRouter.builder(work).tls(listenerTls(true, bindings)).start()) {
            ExternalTool.Result genuine = storescu(listener.port(), "MODALITY", modality, "--profile-bcp195-nd");
            assertEquals(0, genuine.exitCode(), genuine.output());
            Issued other = site.issue("other-modality");
            ExternalTool.Result impostor = storescu(listener.port(), "MODALITY", other, "--profile-bcp195-nd");
            assertTrue(impostor.output().contains("Calling AE Title Not Recognized"), impostor.output());
            assertEquals(1, listener.received.size());
        }
    }

    // ---- our SCU calling dcmtk's storescp ----

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void scuStoresIntoStorescpOverTlsVerifyingItsHostNameOrAddress(String host) throws Exception {
        Path out = Files.createDirectories(work.resolve("storescp"));
        try (Storescp storescp = Storescp.start(work, out, pacs, "--profile-bcp195-nd")) {
            ClientTlsSettings tls = ClientTlsSettings.trusting(site.trustStore(), PASSWORD).withClientCertificate(router.keyStore(), PASSWORD);
            assertEquals(DimseStatus.SUCCESS, storeOnce(tls, new RemoteAe("STORESCP", host, storescp.port)));
        }
        assertTrue(Files.exists(out.resolve("DX." + imageMeta.sopInstanceUid())));
    }

    @Test
    void scuRefusesAServerWhoseCertificateNamesAnotherHostUnlessVerificationIsOff() throws Exception {
        Path out = Files.createDirectories(work.resolve("storescp"));
        try (Storescp storescp = Storescp.start(work, out, pacsElsewhere, "--profile-bcp195-nd")) {
            RemoteAe remote = new RemoteAe("STORESCP", "127.0.0.1", storescp.port);
            ClientTlsSettings verifying = ClientTlsSettings.trusting(site.trustStore(), PASSWORD).withClientCertificate(router.keyStore(), PASSWORD);
            DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> storeOnce(verifying, remote));
            assertTrue(e.getMessage().contains("TLS handshake with"), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
            assertTrue(Files.notExists(out.resolve("DX." + imageMeta.sopInstanceUid())));

            assertEquals(DimseStatus.SUCCESS, storeOnce(verifying.withVerifyHostname(false), remote));
        }
        assertTrue(Files.exists(out.resolve("DX." + imageMeta.sopInstanceUid())));
    }

    @Test
    void scuRefusesAServerWithACertificateNoTrustedCaIssued() throws Exception {
        Issued selfSignedPacs = TestCertificates.selfSigned(keys, "rogue-pacs", "IP:127.0.0.1");
        try (Storescp storescp = Storescp.start(work, Files.createDirectories(work.resolve("storescp")), selfSignedPacs, "--profile-bcp195-nd")) {
            ClientTlsSettings tls = ClientTlsSettings.trusting(site.trustStore(), PASSWORD).withClientCertificate(router.keyStore(), PASSWORD);
            DicomNetworkException e = assertThrows(DicomNetworkException.class,
                    () -> storeOnce(tls, new RemoteAe("STORESCP", "127.0.0.1", storescp.port)));
            assertTrue(e.getMessage().contains("TLS handshake with"), e.getMessage());
        }
    }

    @Test
    void scuRefusesAServerOfferingOnlyCbcSuitesOverTls12() throws Exception {
        int port = ExternalTool.freePort();
        Path log = work.resolve("s_server.log");
        Process server = ExternalTool.start(log, "openssl", "s_server", "-accept", String.valueOf(port), "-cert", pacs.certificate().toString(),
                "-key", pacs.key().toString(), "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:AES128-SHA");
        try {
            ExternalTool.awaitListening(port, Duration.ofSeconds(10));
            ClientTlsSettings tls = ClientTlsSettings.trusting(site.trustStore(), PASSWORD);
            DicomNetworkException e = assertThrows(DicomNetworkException.class,
                    () -> storeOnce(tls, new RemoteAe("PACS", "127.0.0.1", port)));
            assertTrue(e.getMessage().contains("TLS handshake with"), e.getMessage());
            // s_server sends its alert before it logs why: our client may see the alert first, so wait for the line.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.readString(log).contains("no shared cipher") && System.nanoTime() < deadline) Thread.sleep(50);
        } finally {
            server.destroy();
            server.waitFor();
        }
        assertTrue(Files.readString(log).contains("no shared cipher"), Files.readString(log));
    }

    private static DimseStatus storeOnce(ClientTlsSettings tls, RemoteAe remote) throws IOException {
        ClientSettings settings = ClientSettings.defaults("ROUTER").withTls(tls);
        try (ClientAssociation association = ClientAssociation.open(settings, remote, ClientAssociation.contextsFor(List.of(imageMeta)))) {
            DimseStatus status = association.store(image, Priority.MEDIUM);
            association.release();
            return status;
        }
    }

    private static TlsSettings listenerTls(boolean requireClientCertificate, ClientCertificateAeTitles bindings) throws Exception {
        return new TlsSettings(router.keyStore(), PASSWORD, site.trustStore(), PASSWORD, requireClientCertificate, bindings);
    }

    private static ExternalTool.Result storescu(int port, String callingAe, Issued certificate, String profile) throws Exception {
        return ExternalTool.run(Duration.ofSeconds(60), List.of("storescu", "-aet", callingAe, "-aec", TestRouter.AE_TITLE,
                "+tls", certificate.key().toString(), certificate.certificate().toString(), "-pw", "+cf", site.caCertificate().toString(),
                profile, "127.0.0.1", String.valueOf(port), image.toString()));
    }

    /** What OpenSSL's s_client prints for one handshake with the modality's certificate; its input is empty, so it ends. */
    private static String sClient(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", site.caCertificate().toString(), "-cert", modality.certificate().toString(), "-key", modality.key().toString()));
        command.addAll(List.of(options));
        return ExternalTool.run(Duration.ofSeconds(30), withNullInput(command)).output();
    }

    private static List<String> withNullInput(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" < /dev/null", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** dcmtk's storescp over TLS, requiring a client certificate issued by the site CA. */
    private record Storescp(Process process, int port) implements AutoCloseable {
        static Storescp start(Path work, Path out, Issued certificate, String profile) throws IOException, InterruptedException {
            int port = ExternalTool.freePort();
            Process process = ExternalTool.start(work.resolve("storescp-" + port + ".log"), "storescp", "-aet", "STORESCP",
                    "+tls", certificate.key().toString(), certificate.certificate().toString(), "-pw", "+cf", site.caCertificate().toString(),
                    profile, "-od", out.toString(), String.valueOf(port));
            ExternalTool.awaitListening(port, Duration.ofSeconds(10));
            return new Storescp(process, port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }
}
