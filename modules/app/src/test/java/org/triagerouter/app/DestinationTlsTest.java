package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triagerouter.app.PacsFixture.await;
import static org.triagerouter.app.PacsFixture.srFiles;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ClientTlsSettings;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * The listener's TLS and a destination's are separate: a router serving TLS delivers to a plain-TCP PACS, and a plain
 * router delivers to a PACS that takes TLS only (dcmtk's storescp over OpenSSL), as the destination's own profile says,
 * with a WARN at start when that profile turns host name verification off.
 */
class DestinationTlsTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    static Path keys;

    @TempDir
    Path work;
    DatabaseSettings db;
    final List<AutoCloseable> running = new ArrayList<>();
    final List<Process> peers = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        // The router's listener certificate, naming 127.0.0.1, and a modality's trust store holding it.
        run(keytool(), "-genkeypair", "-alias", "router", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=router", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", key("router.p12"), "-storepass", "routerpw");
        run(keytool(), "-exportcert", "-rfc", "-alias", "router", "-keystore", key("router.p12"), "-storepass", "routerpw", "-file", key("router.pem"));
        run(keytool(), "-importcert", "-noprompt", "-alias", "router", "-file", key("router.pem"), "-storetype", "PKCS12",
                "-keystore", key("modality-trust.p12"), "-storepass", "modalitypw");
        // The PACS's certificate names another host than the one the router calls (a site behind NAT, say).
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key("pacs-key.pem"), "-out", key("pacs.pem"), "-days", "2",
                "-subj", "/CN=pacs", "-addext", "subjectAltName=DNS:pacs.example.org");
        run(keytool(), "-importcert", "-noprompt", "-alias", "pacs", "-file", key("pacs.pem"), "-storetype", "PKCS12",
                "-keystore", key("pacs-trust.p12"), "-storepass", "trustpw");
    }

    @BeforeEach
    void freshDatabase() throws Exception { db = postgres.emptyDatabase(); }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable r : running) r.close();
        for (Process p : peers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRouterServingTlsDeliversToAPlainTcpPacs() throws Exception {
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Path pacs = storescp(pacsPort);
        running.add(RouterProcess.serve(work, env(dicomPort, "pacs=PACS@127.0.0.1:" + pacsPort, Map.of("TRIAGE_DICOM_TLS_ENABLED", "true",
                "TRIAGE_DICOM_TLS_KEY_STORE", key("router.p12"), "TRIAGE_DICOM_TLS_KEY_STORE_PASSWORD", "routerpw"))));
        ClientSettings modality = ClientSettings.defaults("MODALITY")
                .withTls(ClientTlsSettings.trusting(Path.of(key("modality-trust.p12")), "modalitypw"));
        sendStudy(modality, dicomPort);
        await("the SR at the plain-TCP PACS", 60, () -> srFiles(pacs).size() == 1);
    }

    @Test
    void aPlainRouterDeliversToATlsPacsAsTheDestinationsProfileSaysAndWarnsOfTheUncheckedHostName() throws Exception {
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Path pacs = storescp(pacsPort, "+tls", key("pacs-key.pem"), key("pacs.pem"), "-pw", "-ic");
        String trust = URLEncoder.encode(key("pacs-trust.p12"), StandardCharsets.UTF_8);
        RouterProcess router = RouterProcess.serve(work, env(dicomPort, "pacs=PACS@127.0.0.1:" + pacsPort + "?tls=true&trustStore=" + trust
                + "&trustStorePassword=trustpw&verifyHostname=false&callingAeTitle=AI_TRIAGE", Map.of()));
        running.add(router);
        String warning = router.awaitLine("host name verification");
        assertTrue(warning.contains("WARN") && warning.contains("destination 'pacs'"), warning);
        sendStudy(ClientSettings.defaults("MODALITY"), dicomPort);
        await("the SR at the TLS PACS", 60, () -> srFiles(pacs).size() == 1);
        String log = Files.readString(work.resolve("storescp-" + pacsPort + ".log"));
        assertTrue(log.contains("TLS CONNECTION DETAILS") && log.matches("(?s).*Calling Application Name: +AI_TRIAGE\\n.*"), log);
    }

    private void sendStudy(ClientSettings settings, int dicomPort) throws Exception {
        String study = Uids.newUid(), series = Uids.newUid();
        Path image = PacsFixture.image(work.resolve("images"), study, series, 11, 256);
        try (ClientAssociation association = ClientAssociation.open(settings, new RemoteAe("TRIAGE", "127.0.0.1", dicomPort),
                ClientAssociation.contextsFor(List.of(Part10.readMeta(image))))) {
            assertEquals(DimseStatus.SUCCESS, association.store(image, Priority.MEDIUM));
            association.release();
        }
    }

    private Map<String, String> env(int dicomPort, String destinations, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_DICOM_PORT", String.valueOf(dicomPort),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString(),
                "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_DESTINATIONS", destinations, "TRIAGE_REPORT_GRACE_SECONDS", "0"));
        env.putAll(extra);
        return env;
    }

    private Path storescp(int port, String... options) throws Exception {
        Path out = Files.createDirectories(work.resolve("pacs-" + port));
        List<String> command = new ArrayList<>(List.of("storescp", "-d", "-aet", "PACS", "-od", out.toString()));
        command.addAll(List.of(options));
        command.add(String.valueOf(port));
        peers.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("storescp-" + port + ".log").toFile()).start());
        await("storescp listening", 10, () -> PacsFixture.accepts(port));
        return out;
    }

    private static String key(String name) { return keys.resolve(name).toString(); }

    private static String keytool() { return Path.of(System.getProperty("java.home"), "bin", "keytool").toString(); }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + output);
    }
}
