package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.TestRouter;

/** DICOM over TLS with JSSE: certificates made by the JDK's keytool, client certificates checked when required. */
class TlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path keys;

    @TempDir
    Path work;

    @BeforeAll
    static void makeCertificates() throws Exception {
        for (String name : List.of("router", "modality", "stranger")) {
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store(name), "-storepass", PASSWORD);
            keytool("-exportcert", "-alias", name, "-keystore", store(name), "-storepass", PASSWORD, "-file", keys.resolve(name + ".crt").toString());
        }
        // The router trusts the modality; the modality trusts the router. Nobody trusts the stranger.
        keytool("-importcert", "-noprompt", "-alias", "modality", "-file", keys.resolve("modality.crt").toString(),
                "-storetype", "PKCS12", "-keystore", trust("router"), "-storepass", PASSWORD);
        for (String client : List.of("modality", "stranger")) {
            keytool("-importcert", "-noprompt", "-alias", "router", "-file", keys.resolve("router.crt").toString(),
                    "-storetype", "PKCS12", "-keystore", trust(client), "-storepass", PASSWORD);
        }
    }

    @Test
    void echoOverTlsWithATrustedClientCertificate() throws Exception {
        try (TestRouter router = TestRouter.builder(work).tls(settings("router", true)).start();
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY").withTls(client("modality")),
                     new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()), verification())) {
            assertEquals(DimseStatus.SUCCESS, association.echo());
            association.release();
        }
    }

    @Test
    void clientWithAnUntrustedCertificateCannotConnect() throws Exception {
        try (TestRouter router = TestRouter.builder(work).tls(settings("router", true)).start()) {
            assertThrows(DicomNetworkException.class, () -> {
                try (ClientAssociation association = ClientAssociation.open(
                        ClientSettings.defaults("STRANGER").withTls(client("stranger")),
                        new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()), verification())) {
                    association.echo();
                }
            });
        }
    }

    @Test
    void plainTcpClientCannotAssociateWithATlsListener() throws Exception {
        try (TestRouter router = TestRouter.builder(work).tls(settings("router", false)).start()) {
            ClientSettings plain = new ClientSettings("PLAIN", java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2),
                    java.time.Duration.ofSeconds(2), 65536, null);
            assertThrows(DicomNetworkException.class, () -> ClientAssociation.open(plain,
                    new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()), verification()));
        }
    }

    @Test
    void scuTlsNeedsATrustStore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClientTlsSettings(null, null, Path.of(store("modality")), PASSWORD, true));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("needs a trust store"), e.getMessage());
    }

    @Test
    void listenerAndScuEnableOnlyTheBcp195ProtocolsAndAeadEcdheSuites() throws Exception {
        // Checked on the parameters themselves, so the JDK's own disabledAlgorithms cannot hide a missing restriction.
        TlsSettings server = settings("router", true);
        ClientTlsSettings client = client("modality");
        for (javax.net.ssl.SSLParameters p : List.of(server.parameters(server.context()), client.parameters(client.context()))) {
            assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(p.getProtocols()));
            for (String suite : p.getCipherSuites()) {
                boolean tls13 = suite.matches("TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)");
                boolean ecdheAead = suite.matches("TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)");
                org.junit.jupiter.api.Assertions.assertTrue(tls13 || ecdheAead, suite);
            }
            org.junit.jupiter.api.Assertions.assertTrue(List.of(p.getCipherSuites()).contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
            org.junit.jupiter.api.Assertions.assertFalse(String.join(",", p.getSignatureSchemes()).contains("sha1"));
        }
        assertEquals("HTTPS", client.withVerifyHostname(true).parameters(client.context()).getEndpointIdentificationAlgorithm());
        org.junit.jupiter.api.Assertions.assertNull(client.withVerifyHostname(false).parameters(client.context()).getEndpointIdentificationAlgorithm());
    }

    @Test
    void certificateAeTitleBindingsParseCommonNamesAndFingerprints() {
        ClientCertificateAeTitles parsed = ClientCertificateAeTitles.parse(
                List.of("CT1=ct1.example.org", "CT1=SHA256:" + "0F:".repeat(31) + "0F", "DX=dx"));
        assertEquals(java.util.Set.of("cn:ct1.example.org", "sha256:" + "0f".repeat(32)), parsed.bindings().get("CT1"));
        assertEquals(java.util.Set.of("cn:dx"), parsed.bindings().get("DX"));
        for (String bad : List.of("CT1", "=cn", "CT1=", "CT1=sha256:0f0f", "A_TITLE_FAR_TOO_LONG=x")) {
            assertThrows(IllegalArgumentException.class, () -> ClientCertificateAeTitles.parse(List.of(bad)), bad);
        }
    }

    private static TlsSettings settings(String name, boolean requireClientCertificate) {
        return new TlsSettings(Path.of(store(name)), PASSWORD, Path.of(trust(name)), PASSWORD, requireClientCertificate);
    }

    /** keytool's certificates carry no subject alternative name: these tests are about trust, not host names. */
    private static ClientTlsSettings client(String name) {
        return new ClientTlsSettings(Path.of(trust(name)), PASSWORD, Path.of(store(name)), PASSWORD, false);
    }

    private static List<PresentationContext> verification() {
        return List.of(PresentationContext.proposed(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE)));
    }

    private static String store(String name) { return keys.resolve(name + ".p12").toString(); }

    private static String trust(String name) { return keys.resolve(name + "-trust.p12").toString(); }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.run(java.time.Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), result.output());
    }
}
