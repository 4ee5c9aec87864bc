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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.app.config.RouterConfig;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.hl7.Hl7Options;

/** HL7 destinations in the YAML list and in TRIAGE_DESTINATIONS, beside DICOM ones, with every site option. */
class Hl7DestinationConfigTest {
    @TempDir
    Path dir;

    @Test
    void yamlHl7DestinationsTakeTheSiteOptions() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                destinations:
                  - {name: pacs, aeTitle: ORTHANC, host: 127.0.0.1, port: 4242}
                  - name: ris
                    type: hl7
                    host: ris.example.org
                    port: 2575
                    tls: true
                    trustStore: /etc/triage/ris-trust.p12
                    trustStorePassword: secret
                    ackTimeoutSeconds: 20
                    sendingApplication: AI_TRIAGE
                    sendingFacility: RADIOLOGY
                    receivingApplication: RIS
                    receivingFacility: HOSPITAL
                    accessionNumberIn: [placer, placerField1]
                    priorityCodes: {URGENT: S, HIGH: T}
                    priorityFields: [OBR-5, ORC-7]
                    patientIdAuthority: HOSP
                    procedureCode: CXR-AI
                    procedureCodingSystem: L
                    sendNotAnalyzed: true
                  - {name: ris-quiet, type: hl7, host: 10.0.0.9, port: 2576, priorityMessage: none, shadow: true}
                """);
        List<Destination> destinations = RouterConfig.load(file, Map.of()).destinations();
        assertEquals(3, destinations.size());
        assertFalse(destinations.get(0).isHl7());
        Destination ris = destinations.get(1);
        assertTrue(ris.isHl7());
        assertNull(ris.remote());
        assertEquals("hl7+tls://ris.example.org:2575", ris.address());
        assertEquals(Path.of("/etc/triage/ris-trust.p12"), ris.hl7().endpoint().trustStore());
        assertEquals(Duration.ofSeconds(20), ris.hl7().endpoint().ackTimeout());
        assertEquals(Duration.ofSeconds(10), ris.hl7().endpoint().connectTimeout());
        Hl7Options o = ris.hl7().options();
        assertEquals("AI_TRIAGE", o.sendingApplication());
        assertEquals("HOSPITAL", o.receivingFacility());
        assertEquals(Set.of(Hl7Options.OrderNumberField.PLACER, Hl7Options.OrderNumberField.PLACER_FIELD_1), o.accessionNumberIn());
        assertEquals(Map.of("URGENT", "S", "HIGH", "T"), o.priorityCodes());
        assertEquals(Set.of(Hl7Options.PriorityField.OBR_5, Hl7Options.PriorityField.ORC_7), o.priorityFields());
        assertEquals(Hl7Options.PriorityMessage.ORM, o.priorityMessage());
        assertEquals("CXR-AI", o.procedureCode());
        assertTrue(o.sendNotAnalyzed());
        Destination quiet = destinations.get(2);
        assertTrue(quiet.shadow());
        assertEquals(Hl7Options.PriorityMessage.NONE, quiet.hl7().options().priorityMessage());
        assertEquals(Hl7Options.defaults().accessionNumberIn(), quiet.hl7().options().accessionNumberIn());
    }

    @Test
    void theVariableTakesHl7UrlsBesideDicomEntries() throws Exception {
        List<Destination> destinations = RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS",
                "pacs=ORTHANC@10.0.0.5:4242, ris=hl7://10.0.0.7:2575?receivingApplication=RIS&accessionNumberIn=placer|filler"
                        + "&priorityCodes=URGENT:S|HIGH:A&tls=true, plain=hl7://ris.local:6661")).destinations();
        assertEquals(List.of("pacs", "ris", "plain"), destinations.stream().map(Destination::name).toList());
        assertEquals("ORTHANC@10.0.0.5:4242", destinations.get(0).address());
        Destination ris = destinations.get(1);
        assertEquals("10.0.0.7", ris.hl7().endpoint().host());
        assertEquals(2575, ris.hl7().endpoint().port());
        assertTrue(ris.hl7().endpoint().tls());
        assertEquals("RIS", ris.hl7().options().receivingApplication());
        assertEquals(Set.of(Hl7Options.OrderNumberField.PLACER, Hl7Options.OrderNumberField.FILLER), ris.hl7().options().accessionNumberIn());
        assertEquals(Hl7Options.defaults(), destinations.get(2).hl7().options());
        assertFalse(destinations.get(2).hl7().endpoint().tls());
    }

    @Test
    void dicomDestinationsAskForKeyObjectsAndTheResultImageInTheVariableOrTheYaml() throws Exception {
        List<Destination> fromVariable = RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS",
                "viewer=PACS@10.0.0.5:4242?resultImage=true&keyObjects=true, plain=ARCH@10.0.0.6:104")).destinations();
        assertTrue(fromVariable.get(0).resultImage() && fromVariable.get(0).keyObjects());
        assertEquals("PACS@10.0.0.5:4242", fromVariable.get(0).address());
        assertFalse(fromVariable.get(1).resultImage() || fromVariable.get(1).keyObjects());
        RouterConfig.ConfigException unknown = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(null,
                Map.of("TRIAGE_DESTINATIONS", "viewer=PACS@10.0.0.5:4242?resultImages=true")));
        assertTrue(unknown.getMessage().contains("'viewer': unknown key 'resultImages'"), unknown.getMessage());
        Path file = dir.resolve("image.yaml");
        Files.writeString(file, "destinations:\n  - {name: viewer, aeTitle: PACS, host: h, port: 104, resultImage: true}\n");
        assertTrue(RouterConfig.load(file, Map.of()).destinations().get(0).resultImage());
    }

    @Test
    void badHl7EntriesAreErrorsThatNameTheDestinationAndKey() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "destinations:\n  - {name: ris, type: hl7, host: h, port: 2575, accessionNumber: filler}\n");
        RouterConfig.ConfigException unknown = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertTrue(unknown.getMessage().contains("'ris' (hl7): unknown key 'accessionNumber'"), unknown.getMessage());
        Files.writeString(file, "destinations:\n  - {name: ris, type: hl7, host: h, port: 2575, priorityFields: [ORC-9]}\n");
        RouterConfig.ConfigException field = assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of()));
        assertTrue(field.getMessage().contains("'ORC-9' is not one of ORC-7, TQ1-9, OBR-27, OBR-5"), field.getMessage());
        Files.writeString(file, "destinations:\n  - {name: ris, type: fhir, host: h, port: 1}\n");
        assertTrue(assertThrows(RouterConfig.ConfigException.class, () -> RouterConfig.load(file, Map.of())).getMessage()
                .contains("type must be dicom or hl7"));
        RouterConfig.ConfigException port = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS", "ris=hl7://host-without-port")));
        assertTrue(port.getMessage().contains("expected hl7://HOST:PORT"), port.getMessage());
        RouterConfig.ConfigException processing = assertThrows(RouterConfig.ConfigException.class,
                () -> RouterConfig.load(null, Map.of("TRIAGE_DESTINATIONS", "ris=hl7://h:1?processingId=X")));
        assertTrue(processing.getMessage().contains("processingId must be P, T or D"), processing.getMessage());
    }
}
