package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.app.config.DicomDestinationConfig;
import org.triagerouter.app.config.RouterConfig;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.DicomProfile;

/** Each DICOM destination's own profile, in the YAML list and in TRIAGE_DESTINATIONS; the listener's TLS never reaches a destination. */
class DicomDestinationConfigTest {
    @TempDir
    Path dir;

    @Test
    void yamlDestinationsTakeTheirOwnProfileAndOthersKeepTheRoutersSettings() throws Exception {
        Path trust = Files.writeString(dir.resolve("pacs-trust.p12"), "x"), key = Files.writeString(dir.resolve("router.p12"), "x");
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                dicom:
                  aeTitle: TRIAGE
                  dimseTimeoutSeconds: 45
                  tls: {enabled: true, keyStore: /listener.p12}
                destinations:
                  - {name: plain, aeTitle: ORTHANC, host: 127.0.0.1, port: 4242}
                  - name: archive
                    aeTitle: ARCHIVE
                    host: archive.example.org
                    port: 2762
                    callingAeTitle: AI_TRIAGE
                    tls: true
                    trustStore: %s
                    trustStorePassword: secret
                    keyStore: %s
                    keyStorePassword: other
                    verifyHostname: false
                    connectTimeoutSeconds: 3
                    dimseTimeoutSeconds: 300
                    transferSyntax: implicit
                """.formatted(trust, key));
        RouterConfig config = RouterConfig.load(file, Map.of());
        List<Destination> destinations = config.destinations();
        ClientSettings router = config.clientSettings("TRIAGE");
        assertNull(router.tls(), "the listener's TLS is not the router's as a caller");

        Destination plain = destinations.get(0);
        assertEquals(DicomProfile.DEFAULT, plain.dicom(), "nothing configured: nothing changes");
        ClientSettings plainClient = plain.clientSettings(router);
        assertNull(plainClient.tls(), "plain TCP although the listener runs TLS");
        assertEquals("TRIAGE", plainClient.callingAeTitle());
        assertEquals(Duration.ofSeconds(45), plainClient.dimseTimeout());
        assertEquals(TransferSyntaxPreference.OWN, plainClient.transferSyntax());

        ClientSettings archive = destinations.get(1).clientSettings(router);
        assertEquals("AI_TRIAGE", archive.callingAeTitle());
        assertEquals(trust, archive.tls().trustStore());
        assertEquals("secret", archive.tls().trustStorePassword());
        assertEquals(key, archive.tls().keyStore());
        assertEquals("other", archive.tls().keyStorePassword());
        assertFalse(archive.tls().verifyHostname());
        assertEquals(Duration.ofSeconds(3), archive.connectTimeout());
        assertEquals(Duration.ofSeconds(300), archive.dimseTimeout());
        assertEquals(Duration.ofSeconds(300), archive.associationTimeout());
        assertEquals(TransferSyntaxPreference.IMPLICIT, archive.transferSyntax());
        assertEquals(router.maxPduLength(), archive.maxPduLength());
    }

    @Test
    void theVariableTakesTheSameKeysAsAQuery() throws Exception {
        Path trust = Files.writeString(dir.resolve("trust & co.p12"), "x");
        String encoded = java.net.URLEncoder.encode(trust.toString(), java.nio.charset.StandardCharsets.UTF_8);
        List<Destination> destinations = RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS",
                "pacs=PACS@10.0.0.5:104?tls=true&trustStore=" + encoded + "&trustStorePassword=p%26w&callingAeTitle=AI_ROUTER"
                        + "&connectTimeoutSeconds=4&dimseTimeoutSeconds=90&transferSyntax=explicit&resultImage=true,"
                        + "old=OLD@10.0.0.6:104?transferSyntax=implicit&verifyHostname=true&tls=true&trustStore=" + encoded
                        + ",plain=PLAIN@10.0.0.7:104")).destinations();
        DicomProfile pacs = destinations.get(0).dicom();
        assertEquals("PACS@10.0.0.5:104", destinations.get(0).address());
        assertTrue(destinations.get(0).resultImage());
        assertEquals(new DicomProfile("AI_ROUTER", pacs.tls(), Duration.ofSeconds(4), Duration.ofSeconds(90), TransferSyntaxPreference.EXPLICIT),
                pacs);
        assertEquals(trust, pacs.tls().trustStore());
        assertEquals("p&w", pacs.tls().trustStorePassword());
        assertNull(pacs.tls().keyStore());
        assertTrue(pacs.tls().verifyHostname(), "verified unless the profile says otherwise");
        assertEquals(TransferSyntaxPreference.IMPLICIT, destinations.get(1).dicom().transferSyntax());
        assertTrue(destinations.get(1).dicom().usesTls());
        assertEquals(DicomProfile.DEFAULT, destinations.get(2).dicom());
    }

    @Test
    void aProfileThatCannotWorkIsAnErrorNamingTheDestinationAndTheKey() throws Exception {
        Path trust = Files.writeString(dir.resolve("t.p12"), "x");
        Map<String, String> cases = Map.of(
                "pacs=P@h:104?tls=true", "'pacs': trustStore (the PACS's certificate or its CA) is required with tls: true",
                "pacs=P@h:104?trustStore=" + trust, "'pacs': trustStore applies only with tls: true",
                "pacs=P@h:104?verifyHostname=false", "'pacs': verifyHostname applies only with tls: true",
                "pacs=P@h:104?tls=true&trustStore=/nonexistent/t.p12", "'pacs': trustStore /nonexistent/t.p12 cannot be read",
                "pacs=P@h:104?transferSyntax=jpeg", "'pacs': transferSyntax must be own, explicit or implicit, got 'jpeg'",
                "pacs=P@h:104?callingAeTitle=SEVENTEEN_CHARS_X", "'pacs': callingAeTitle must be 1 to 16 printable characters",
                "pacs=P@h:104?dimseTimeoutSeconds=0", "'pacs': dimseTimeoutSeconds must be between 1 and 86400, got 0",
                "pacs=P@h:104?tls=maybe", "'pacs': tls must be true or false, got 'maybe'",
                "pacs=P@h:104?cipher=x", "'pacs': unknown key 'cipher'",
                "pacs=P@h:104?host=other", "'pacs': host belongs in AE@HOST:PORT");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class,
                    () -> RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS", c.getKey())), c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
        }
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "destinations:\n  - {name: pacs, aeTitle: P, host: h, port: 104, keyStore: " + trust + "}\n");
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertEquals("destinations: 'pacs': keyStore applies only with tls: true", e.getMessage());
    }

    @Test
    void readmeDocumentsEveryDestinationKey() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        String table = readme.substring(readme.indexOf("A DICOM destination's keys"), readme.indexOf("An HL7 destination's keys"));
        for (String key : DicomDestinationConfig.PROFILE_KEYS) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith("| ") && l.split("\\|")[1].contains("`" + key + "`")), "README lacks " + key);
        }
    }
}
