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
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY").withTls(settings("modality", false)),
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
                        ClientSettings.defaults("STRANGER").withTls(settings("stranger", false)),
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
    void scuRefusesTlsWithoutATrustStore() throws Exception {
        try (TestRouter router = TestRouter.builder(work).tls(settings("router", false)).start()) {
            TlsSettings noTrust = new TlsSettings(Path.of(store("modality")), PASSWORD, null, null, false);
            DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> ClientAssociation.open(
                    ClientSettings.defaults("MODALITY").withTls(noTrust), new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()),
                    verification()));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("needs a trust store"), e.getMessage());
        }
    }

    private static TlsSettings settings(String name, boolean requireClientCertificate) {
        return new TlsSettings(Path.of(store(name)), PASSWORD, Path.of(trust(name)), PASSWORD, requireClientCertificate);
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
