package org.triagerouter.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ClientTlsSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.SrValidator;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.report.ReportSettings;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * Destinations called as their own profile says, against dcmtk's storescp: a PACS that takes Implicit VR Little Endian
 * only gets the SR, the key objects and the result image re-encoded; one that takes none of the syntaxes offered fails the
 * delivery at once, naming them; a TLS PACS (dcmtk over OpenSSL, asking for a client certificate) is reached with the
 * destination's own trust and key stores and calling AE title, and not without them.
 */
class DestinationProfileTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    static ModelManifest cxr;

    @TempDir
    static Path keys;

    @TempDir
    Path work;
    Database database;
    IngestSettings ingest;
    InlinePipeline stages;
    final List<Process> peers = new ArrayList<>();
    int imageSeed = 700;

    @BeforeAll
    static void model() throws Exception {
        cxr = ChosenScores.manifest("cxr", "1", "default", 0.5);
        // The PACS: an RSA certificate naming 127.0.0.1, in PEM for storescp and in a PKCS#12 trust store for the router.
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key("pacs-key.pem"), "-out", key("pacs.pem"), "-days", "2",
                "-subj", "/CN=pacs", "-addext", "subjectAltName=IP:127.0.0.1");
        run(keytool(), "-importcert", "-noprompt", "-alias", "pacs", "-file", key("pacs.pem"), "-storetype", "PKCS12",
                "-keystore", key("pacs-trust.p12"), "-storepass", "trustpw");
        // The router's client certificate, which the PACS trusts.
        run(keytool(), "-genkeypair", "-alias", "router", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=router", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", key("router.p12"), "-storepass", "keypass");
        run(keytool(), "-exportcert", "-rfc", "-alias", "router", "-keystore", key("router.p12"), "-storepass", "keypass", "-file", key("router.pem"));
    }

    @BeforeEach
    void database() {
        database = postgres.database();
        ingest = new IngestSettings(work.resolve("spool"), 0, "node-a");
        stages = new InlinePipeline(database, "node-a");
    }

    @AfterEach
    void stopPeers() throws Exception {
        for (Process p : peers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anImplicitOnlyPacsGetsTheSrKeyObjectsAndResultImageReencoded() throws Exception {
        int port = ExternalTool.freePort();
        Path received = storescp(port, "+xi");
        Destination pacs = new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false, true, null, true);
        deliverOneStudy(pacs, 0.93);
        assertEquals("delivered 1 0x0000,0x0000,0x0000", string("select state || ' ' || attempts || ' ' || last_status from delivery"));
        List<Path> files = files(received);
        assertEquals(3, files.size(), files.toString());
        for (Path f : files) assertEquals(Uids.IMPLICIT_VR_LE, Part10.readMeta(f).transferSyntaxUid(), f.getFileName().toString());
        Path sr = files.stream().filter(f -> f.getFileName().toString().startsWith("SR")).findFirst().orElseThrow();
        assertEquals(List.of(), SrValidator.validate(sr).errors(), "the SR as the PACS holds it");
    }

    @Test
    void aPacsThatAcceptsNoneOfTheOfferedSyntaxesFailsTheDeliveryAtOnceNamingThem() throws Exception {
        Path config = work.resolve("storescp.cfg");
        Files.writeString(config, """
                [[TransferSyntaxes]]
                [BigEndianOnly]
                TransferSyntax1 = BigEndianExplicit
                [[PresentationContexts]]
                [BigEndian]
                PresentationContext1 = ComprehensiveSRStorage\\BigEndianOnly
                PresentationContext2 = VerificationSOPClass\\BigEndianOnly
                [[Profiles]]
                [BigEndianOnly]
                PresentationContexts = BigEndian
                """);
        int port = ExternalTool.freePort();
        storescp(port, "-xf", config.toString(), "BigEndianOnly");
        deliverOneStudy(new Destination("old-pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false), 0.93);
        assertEquals("failed 1", string("select state || ' ' || attempts from delivery"), "permanent: not retried");
        String error = string("select last_error from delivery");
        assertTrue(error.contains("offered Explicit VR Little Endian (1.2.840.10008.1.2.1), Implicit VR Little Endian (1.2.840.10008.1.2)"), error);
        assertEquals("failed", string("select state from job where kind = 'dispatch'"));
    }

    @Test
    void aTlsPacsIsReachedWithTheDestinationsOwnTrustKeyAndCallingAeTitleOnly() throws Exception {
        int port = ExternalTool.freePort();
        Path received = storescp(port, "+tls", key("pacs-key.pem"), key("pacs.pem"), "-pw", "+cf", key("router.pem"), "-rc");
        ClientTlsSettings tls = ClientTlsSettings.trusting(Path.of(key("pacs-trust.p12")), "trustpw").withClientCertificate(Path.of(key("router.p12")), "keypass");
        RemoteAe remote = new RemoteAe("STORESCP", "127.0.0.1", port);

        // The same PACS as a plain-TCP destination: the handshake fails, the delivery waits for a retry.
        deliverOneStudy(new Destination("pacs", remote, false), 0.95);
        assertEquals("pending 1", string("select state || ' ' || attempts from delivery"));
        // Without the client certificate the PACS asks for: refused too.
        Destination noClientCertificate = new Destination("pacs", remote, false, false, null, false, false,
                new DicomProfile(null, ClientTlsSettings.trusting(Path.of(key("pacs-trust.p12")), "trustpw"), null, null,
                        TransferSyntaxPreference.OWN));
        retryNow();
        stages.deliver(List.of(noClientCertificate));
        assertEquals("pending 2", string("select state || ' ' || attempts from delivery"));

        Destination profiled = new Destination("pacs", remote, false, false, null, false, false,
                new DicomProfile("AI_ROUTER", tls, Duration.ofSeconds(5), Duration.ofSeconds(20), TransferSyntaxPreference.OWN));
        retryNow();
        stages.deliver(List.of(profiled));
        assertEquals("delivered 3", string("select state || ' ' || attempts from delivery"), string("select last_error from delivery"));
        assertEquals(1, files(received).size());
        String log = Files.readString(work.resolve("storescp-" + port + ".log"));
        assertTrue(log.matches("(?s).*Calling Application Name: +AI_ROUTER\\n.*"), "the destination's own calling AE title:\n" + log);

        new DestinationHealth(database, List.of(profiled), new org.triagerouter.dicom.net.ClientSettings("TRIAGE", Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null)).checkAll();
        assertEquals("true", string("select ok::text from destination_health where destination = 'pacs'"), string("select message from destination_health"));
    }

    /** One study with an abnormal score, received, reported (five delivery attempts allowed) and dispatched once to {@code destination}. */
    private void deliverOneStudy(Destination destination, double score) throws Exception {
        String study = Uids.newUid();
        Map<String, Double> chosen = new java.util.HashMap<>();
        try (InboundAssociation modality = new InboundAssociation(database, ingest, "MOD")) {
            Path file = work.resolve("image-" + imageSeed + ".dcm");
            SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 200, 160, imageSeed++, "SYN" + imageSeed, study,
                    Uids.newUid(), Uids.newUid()), file);
            chosen.put(modality.store(file), score);
        }
        stages.prepareAndScore(cxr, chosen);
        ReportSettings report = new ReportSettings("cxr", "1", false, "default", 0.5, Duration.ZERO, Duration.ofMinutes(10),
                InlinePipeline.recipients(List.of(destination)), 5, "node-a");
        stages.report(report, study);
        stages.deliver(List.of(destination));
    }

    private void retryNow() throws Exception {
        try (Connection c = database.connection(); var s = c.createStatement()) {
            s.execute("update job set next_attempt_at = now() where kind = 'dispatch' and state = 'queued'");
        }
    }

    private Path storescp(int port, String... options) throws Exception {
        Path out = Files.createDirectories(work.resolve("received-" + port));
        List<String> command = new ArrayList<>(List.of("storescp", "-d", "-aet", "STORESCP", "-od", out.toString()));
        command.addAll(List.of(options));
        command.add(String.valueOf(port));
        peers.add(ExternalTool.start(work.resolve("storescp-" + port + ".log"), command.toArray(String[]::new)));
        ExternalTool.awaitListening(port, Duration.ofSeconds(10));
        return out;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private String string(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String key(String name) { return keys.resolve(name).toString(); }

    private static String keytool() { return Path.of(System.getProperty("java.home"), "bin", "keytool").toString(); }

    private static void run(String... command) throws Exception {
        ExternalTool.Result result = ExternalTool.run(command);
        assertEquals(0, result.exitCode(), String.join(" ", command) + ":\n" + result.output());
    }
}
