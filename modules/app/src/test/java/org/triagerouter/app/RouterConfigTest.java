package org.triagerouter.app;

import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.ServerSettings;

class RouterConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsApplyWithoutAFile() throws Exception {
        ServerSettings s = RouterConfig.load(null, Map.of()).serverSettings();
        assertEquals("TRIAGE", s.aeTitle());
        assertEquals("0.0.0.0", s.bindAddress());
        assertEquals(11112, s.port());
        assertTrue(s.allowedCallingAeTitles().isEmpty());
        assertEquals(Uids.DECODABLE_TRANSFER_SYNTAXES, s.imageTransferSyntaxes());
        assertNull(s.tls());
    }

    @Test
    void fileOverridesDefaultsAndEnvironmentOverridesFile() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                dicom:
                  aeTitle: FILE_AE
                  port: 2000
                  allowedCallingAeTitles: [CR1, DX2]
                spool:
                  dir: /tmp/from-file
                """);
        RouterConfig config = RouterConfig.load(file, Map.of("TRIAGE_DICOM_PORT", "3000", "TRIAGE_ALLOWED_CALLING_AE_TITLES", "PACS, CR9"));
        ServerSettings s = config.serverSettings();
        assertEquals("FILE_AE", s.aeTitle());
        assertEquals(3000, s.port());
        assertEquals(Set.of("PACS", "CR9"), s.allowedCallingAeTitles());
        assertEquals(Path.of("/tmp/from-file"), config.spoolDirectory());
    }

    @Test
    void shippedConfigurationFileHoldsTheDefaults() throws Exception {
        Path shipped = Path.of("../../config/triage-router.yaml");
        RouterConfig fromFile = RouterConfig.load(shipped, Map.of());
        RouterConfig builtIn = RouterConfig.load(null, Map.of());
        for (ConfigKey key : ConfigKey.values()) {
            assertEquals(builtIn.string(key), fromFile.string(key), key.path);
            assertTrue(Files.readString(shipped).contains(key.environmentVariable), key.environmentVariable + " not named in the shipped file");
        }
    }

    @Test
    void eligibilityRulesComeFromTheYamlFile() throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                prepare:
                  maxSide: 512
                  eligibility:
                    - name: dx-only
                      require:
                        Modality: [DX]
                """);
        RouterConfig config = RouterConfig.load(file, Map.of());
        assertEquals(512, config.prepareSettings().maxSide());
        assertTrue(config.prepareSettings().rules().decide(Map.of("Modality", "DX")).eligible());
        assertEquals("dx-only", config.prepareSettings().rules().decide(Map.of("Modality", "DX")).rule());
        assertTrue(!config.prepareSettings().rules().decide(Map.of("Modality", "CR")).eligible());

        Files.writeString(file, "prepare:\n  eligibility:\n    - name: typo\n      require:\n        Modalty: [DX]\n");
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("'Modalty' is not a DICOM keyword"), e.getMessage());
    }

    @Test
    void knownSendersComeFromTheYamlListOrTheVariableWhichReplacesIt() throws Exception {
        Path file = dir.resolve("senders.yaml");
        Files.writeString(file, """
                dicom:
                  extraStorageSopClasses: [1.3.6.1.4.1.99999.5.1.1]
                  senders:
                    - aeTitle: CR_ROOM_1
                      hosts: [10.1.2.0/24, cr1.hospital.local]
                      sopClasses: [1.2.840.10008.5.1.4.1.1.1, 1.3.6.1.4.1.99999.5.1.1]
                      transferSyntaxes: [1.2.840.10008.1.2.1]
                    - aeTitle: DX_2
                """);
        ServerSettings s = RouterConfig.load(file, Map.of()).serverSettings();
        assertEquals(Set.of("1.3.6.1.4.1.99999.5.1.1"), s.extraStorageSopClasses());
        assertEquals(2, s.senders().size());
        org.triagerouter.dicom.net.SenderProfile cr = s.sender("CR_ROOM_1");
        assertEquals("[10.1.2.0/24, cr1.hospital.local]", cr.hosts().toString());
        assertEquals(Set.of(Uids.CR_IMAGE_STORAGE, "1.3.6.1.4.1.99999.5.1.1"), cr.sopClasses());
        assertEquals(java.util.List.of(Uids.EXPLICIT_VR_LE), cr.transferSyntaxes());
        assertTrue(s.sender("DX_2").hosts().isEmpty());

        ServerSettings fromVariable = RouterConfig.load(file, Map.of("TRIAGE_DICOM_SENDERS",
                "CR_ROOM_1@10.1.2.0/24|::1?sopClasses=1.2.840.10008.5.1.4.1.1.1&transferSyntaxes=1.2.840.10008.1.2, MG?sopClasses=1.2.3")).serverSettings();
        assertEquals(2, fromVariable.senders().size());
        assertEquals("[10.1.2.0/24, ::1]", fromVariable.sender("CR_ROOM_1").hosts().toString());
        assertEquals(java.util.List.of(Uids.IMPLICIT_VR_LE), fromVariable.sender("CR_ROOM_1").transferSyntaxes());
        assertEquals(Set.of("1.2.3"), fromVariable.sender("MG").sopClasses());
        assertNull(fromVariable.sender("DX_2"), "the variable replaces the YAML list");
    }

    @Test
    void badSenderEntriesAreErrorsThatNameTheKey() throws Exception {
        for (String bad : java.util.List.of("CR1@10.0.0.0/40", "CR1@", "CR1?sopClasses=x.y", "CR1?colour=red", "CR1,CR1", "A_TITLE_FAR_TOO_LONG")) {
            RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class,
                    () -> RouterConfig.load(null, Map.of("TRIAGE_DICOM_SENDERS", bad)), bad);
            assertTrue(e.getMessage().contains("TRIAGE_DICOM_SENDERS") || e.getMessage().contains("sender AE title"), bad + ": " + e.getMessage());
        }
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "dicom:\n  senders:\n    - aeTitle: CR1\n      host: 10.0.0.1\n");
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("unknown key 'host'"), e.getMessage());
        RouterConfig.ConfigException extra = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DICOM_EXTRA_STORAGE_SOP_CLASSES", "1.2.3, private-cr")));
        assertTrue(extra.getMessage().contains("dicom.extraStorageSopClasses"), extra.getMessage());
    }

    @Test
    void unknownKeyIsAnErrorThatNamesIt() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "dicom:\n  aetitle: X\n");
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("unknown configuration key 'dicom.aetitle'"), e.getMessage());
    }

    @Test
    void inferenceWorkersAreAutoByDefaultOrACount() throws Exception {
        assertTrue(RouterConfig.load(null, Map.of()).integerOrAuto(ConfigKey.INFERENCE_WORKERS, 0, 64).isEmpty());
        assertEquals(java.util.OptionalInt.of(3),
                RouterConfig.load(null, Map.of("TRIAGE_INFERENCE_WORKERS", "3")).integerOrAuto(ConfigKey.INFERENCE_WORKERS, 0, 64));
        assertEquals(java.util.OptionalInt.of(0),
                RouterConfig.load(null, Map.of("TRIAGE_INFERENCE_WORKERS", "0")).integerOrAuto(ConfigKey.INFERENCE_WORKERS, 0, 64));
        for (String bad : new String[] {"many", "-1", "65"}) {
            RouterConfig config = RouterConfig.load(null, Map.of("TRIAGE_INFERENCE_WORKERS", bad));
            RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class,
                    () -> config.integerOrAuto(ConfigKey.INFERENCE_WORKERS, 0, 64));
            assertTrue(e.getMessage().contains("inference.workers (TRIAGE_INFERENCE_WORKERS) must be auto or a whole number between 0 and 64, got '" + bad + "'"),
                    e.getMessage());
        }
    }

    @Test
    void badValuesAreErrorsThatNameKeyAndVariable() {
        RouterConfig.ConfigException port = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DICOM_PORT", "eleven")));
        assertTrue(port.getMessage().contains("dicom.port (TRIAGE_DICOM_PORT) must be a whole number"), port.getMessage());
        RouterConfig.ConfigException ae = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DICOM_AE_TITLE", "A_TITLE_FAR_TOO_LONG")));
        assertTrue(ae.getMessage().contains("AE title must be 1 to 16 characters"), ae.getMessage());
        RouterConfig.ConfigException tls = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DICOM_TLS_ENABLED", "true")));
        assertTrue(tls.getMessage().contains("dicom.tls.keyStore"), tls.getMessage());
        RouterConfig.ConfigException trust = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null, Map.of(
                "TRIAGE_DICOM_TLS_ENABLED", "true", "TRIAGE_DICOM_TLS_KEY_STORE", "/x.p12", "TRIAGE_DICOM_TLS_REQUIRE_CLIENT_CERTIFICATE", "true")));
        assertTrue(trust.getMessage().contains("dicom.tls.trustStore"), trust.getMessage());
    }

    @Test
    void clientCertificatesBoundToAeTitlesComeFromConfigurationAndNeedATrustStore() throws Exception {
        Map<String, String> tls = Map.of("TRIAGE_DICOM_TLS_ENABLED", "true", "TRIAGE_DICOM_TLS_KEY_STORE", "/k.p12",
                "TRIAGE_DICOM_TLS_TRUST_STORE", "/t.p12",
                "TRIAGE_DICOM_TLS_CLIENT_CERTIFICATE_AE_TITLES", "CT1=ct1.example.org, DX2=sha256:" + "AB:".repeat(31) + "AB");
        ServerSettings s = RouterConfig.load(null, tls).serverSettings();
        assertEquals(Set.of("cn:ct1.example.org"), s.tls().clientCertificateAeTitles().bindings().get("CT1"));
        assertEquals(Set.of("sha256:" + "ab".repeat(32)), s.tls().clientCertificateAeTitles().bindings().get("DX2"));
        assertNull(RouterConfig.load(null, tls).clientSettings("TRIAGE").tls(), "the listener's TLS is not the SCU's: each destination has its own");

        Map<String, String> noTrust = new java.util.HashMap<>(tls);
        noTrust.remove("TRIAGE_DICOM_TLS_TRUST_STORE");
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null, noTrust));
        assertTrue(e.getMessage().contains("dicom.tls.trustStore"), e.getMessage());
        RouterConfig.ConfigException bad = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null,
                Map.of("TRIAGE_DICOM_TLS_ENABLED", "true", "TRIAGE_DICOM_TLS_KEY_STORE", "/k.p12", "TRIAGE_DICOM_TLS_TRUST_STORE", "/t.p12",
                        "TRIAGE_DICOM_TLS_CLIENT_CERTIFICATE_AE_TITLES", "CT1=sha256:abc")));
        assertTrue(bad.getMessage().contains("TRIAGE_DICOM_TLS_CLIENT_CERTIFICATE_AE_TITLES"), bad.getMessage());
        RouterConfig.ConfigException plain = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null,
                Map.of("TRIAGE_DICOM_TLS_CLIENT_CERTIFICATE_AE_TITLES", "CT1=ct1")));
        assertTrue(plain.getMessage().contains("dicom.tls.enabled"), plain.getMessage());
    }

    @Test
    void databaseSessionTimeoutsHaveDefaultsAndOverrides() throws Exception {
        org.triagerouter.store.DatabaseSettings defaults = RouterConfig.load(null, Map.of()).databaseSettings();
        assertEquals(java.time.Duration.ofSeconds(15), defaults.idleInTransactionTimeout());
        assertEquals(java.time.Duration.ofSeconds(25), defaults.statementTimeout());
        assertTrue(defaults.socketTimeoutSeconds() > defaults.statementTimeout().toSeconds(), "the server cancels before the client gives up");
        org.triagerouter.store.DatabaseSettings set = RouterConfig.load(null, Map.of("TRIAGE_DATABASE_IDLE_IN_TRANSACTION_SECONDS", "0",
                "TRIAGE_DATABASE_STATEMENT_TIMEOUT_SECONDS", "120")).databaseSettings();
        assertEquals(java.time.Duration.ZERO, set.idleInTransactionTimeout());
        assertEquals(125, set.socketTimeoutSeconds());
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DATABASE_STATEMENT_TIMEOUT_SECONDS", "0")));
        assertTrue(e.getMessage().contains("database.statementTimeoutSeconds"), e.getMessage());
    }

    @Test
    void storageCommitmentIsPerDestinationInTheFileAndTheVariable() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                dispatch:
                  storageCommitmentTimeoutMinutes: 30
                destinations:
                  - {name: pacs, aeTitle: PACS, host: 10.0.0.5, port: 104, storageCommitment: true}
                  - {name: archive, aeTitle: ARCH, host: 10.0.0.6, port: 104}
                """);
        RouterConfig config = RouterConfig.load(file, Map.of());
        assertEquals(List.of(true, false), config.destinations().stream().map(org.triagerouter.dispatch.Destination::storageCommitment).toList());
        assertEquals(java.time.Duration.ofMinutes(30), config.storageCommitmentSettings().timeout());
        assertEquals(java.time.Duration.ofSeconds(5), config.storageCommitmentSettings().sameAssociationWait());
        RouterConfig fromVariable = RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS", "pacs=PACS@10.0.0.5:104?storageCommitment=true,archive=ARCH@h:104",
                "TRIAGE_DISPATCH_STORAGE_COMMITMENT_WAIT_SECONDS", "0"));
        assertEquals(List.of(true, false), fromVariable.destinations().stream().map(org.triagerouter.dispatch.Destination::storageCommitment).toList());
        assertTrue(fromVariable.storageCommitmentSettings().sameAssociationWait().isZero());
        RouterConfig.ConfigException e = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null,
                Map.of("TRIAGE_DESTINATIONS", "ris=hl7://10.0.0.7:2575?storageCommitment=true")));
        assertTrue(e.getMessage().contains("storageCommitment"), e.getMessage());
    }

    @Test
    void readmeDocumentsEveryKeyWithItsVariableAndDefault() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        for (ConfigKey key : ConfigKey.values()) {
            String row = readme.lines().filter(l -> l.startsWith("| `" + key.path + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("README lacks " + key.path));
            assertTrue(row.contains("`" + key.environmentVariable + "`"), row);
            assertTrue(key.defaultValue.isEmpty() || row.contains("`" + key.defaultValue + "`"), row);
        }
    }
}
