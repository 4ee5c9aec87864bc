package org.triagerouter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.Hl7Destination;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.dispatch.testing.PythonRis;
import org.triagerouter.hl7.Hl7Endpoint;
import org.triagerouter.hl7.Hl7Options;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * A study's HL7 deliveries in /api/studies/{uid} and on the study page: each message's type, control ID, ACK code
 * and text. The deliveries are made by the stages against python-hl7's MLLP server (see Hl7DispatchTest).
 */
class StudyHl7DeliveryTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    private static final String NODE = "n1";

    @TempDir
    Path work;
    private Database database;
    private WebServer server;
    private PythonRis ris;
    /** E: URGENT, the RIS took the priority message and rejected the result. F: no accession number, accepted. */
    private String e, f;

    @BeforeEach
    void seed() throws Exception {
        database = postgres.database();
        new SeededPipeline(database, work); // A to D, with their DICOM deliveries
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ris = PythonRis.start(work, port, "AA");
        e = Uids.newUid();
        f = Uids.newUid();
        InlinePipeline stages = new InlinePipeline(database, NODE);
        ModelManifest model = ChosenScores.manifest("m", "1", "balanced", 0.5);
        Map<String, Double> scores = new HashMap<>();
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, NODE), "MOD")) {
            scores.put(modality.store(image(e, "SYN000501", true)), 0.93);
            scores.put(modality.store(image(f, "SYN000502", false)), 0.2);
        }
        stages.prepareAndScore(model, scores);
        List<Destination> destinations = List.of(Destination.hl7("ris", false, new Hl7Destination(new Hl7Endpoint("127.0.0.1", port, false,
                null, null, Duration.ofSeconds(5), Duration.ofSeconds(5)), Hl7Options.defaults())));
        ris.answer("ORU AR Unknown order");
        stages.report(stages.reportSettings(model, destinations), e);
        stages.deliver(destinations);
        ris.answer();
        stages.report(stages.reportSettings(model, destinations), f);
        stages.deliver(destinations);
        server = new WebServer(new WebSettings("127.0.0.1", 0, Access.open(), false, "ROUTER", 11112), new WebServer.Sources(database,
                new Readiness(database, Path.of(System.getProperty("java.io.tmpdir")), 0, () -> true), WebServerTest.model())).start();
    }

    @AfterEach
    void close() throws Exception {
        if (server != null) server.close();
        if (ris != null) ris.close();
    }

    @Test
    void theApiShowsEachHl7MessageWithItsAckCodeAndText() throws Exception {
        JsonNode ris = delivery(study(e), "ris");
        assertEquals("failed", ris.get("state").asText());
        assertEquals("AccessionNumber", ris.get("hl7").get("orderKey").asText());
        JsonNode messages = ris.get("hl7").get("messages");
        assertEquals(2, messages.size());
        assertEquals("ORM^O01", messages.get(0).get("type").asText());
        assertTrue(messages.get(0).get("controlId").asText().matches("TR\\d+-1-ORM"), messages.toString());
        assertEquals("AA", messages.get(0).get("ackCode").asText());
        assertTrue(messages.get(0).path("ackText").isMissingNode(), "no text with an AA: " + messages);
        assertEquals("ORU^R01", messages.get(1).get("type").asText());
        assertTrue(messages.get(1).get("controlId").asText().matches("TR\\d+-1-ORU"), messages.toString());
        assertEquals("AR", messages.get(1).get("ackCode").asText());
        assertTrue(messages.get(1).get("ackText").asText().startsWith("Unknown order"), messages.toString());

        JsonNode noAccession = delivery(study(f), "ris");
        assertEquals("delivered", noAccession.get("state").asText());
        assertEquals("StudyInstanceUID", noAccession.get("hl7").get("orderKey").asText());
        assertEquals("AA", noAccession.get("hl7").get("messages").get(0).get("ackCode").asText());

        assertTrue(delivery(study(SeededPipeline.A), "pacs").path("hl7").isMissingNode(), "a DICOM delivery has no HL7 part (nulls are left out)");
    }

    @Test
    void theStudyPageShowsEachHl7Message() throws Exception {
        WebDriver browser = browser();
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + e);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.until(d -> !d.findElements(By.cssSelector("[data-message='ORU^R01']")).isEmpty());
            String cell = browser.findElement(By.cssSelector("#deliveries td[data-field='hl7']")).getText();
            assertTrue(cell.matches("(?s)ORM\\^O01 · TR\\d+-1-ORM · AA\\s+ORU\\^R01 · TR\\d+-1-ORU · AR Unknown order.*order key: Accession Number"), cell);

            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + f);
            wait.until(d -> !d.findElements(By.cssSelector("[data-message='ORU^R01']")).isEmpty());
            cell = browser.findElement(By.cssSelector("#deliveries td[data-field='hl7']")).getText();
            assertTrue(cell.matches("(?s)ORU\\^R01 · TR\\d+-1-ORU · AA\\s+order key: Study Instance UID \\(no accession number\\)"), cell);

            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + SeededPipeline.A);
            wait.until(d -> !d.findElements(By.cssSelector("#deliveries td[data-field='hl7']")).isEmpty());
            assertEquals(List.of("–"), browser.findElements(By.cssSelector("#deliveries td[data-field='hl7']")).stream().map(WebElement::getText)
                    .toList(), "a DICOM delivery has no HL7 messages");
        } finally {
            browser.quit();
        }
    }

    /** A one-image frontal study for the patient; without an accession number when asked (dcmtk's dcmodify). */
    private Path image(String study, String patient, boolean withAccession) throws Exception {
        Path file = work.resolve(study + ".dcm");
        SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 300, 200, study.hashCode(), patient, study, study + ".0",
                study + ".1"), file);
        if (!withAccession) {
            Process p = new ProcessBuilder("dcmodify", "-nb", "-ma", "(0008,0050)=", file.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException("dcmodify: " + output);
        }
        return file;
    }

    private JsonNode study(String uid) throws Exception {
        return new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/studies/" + uid)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode delivery(JsonNode study, String destination) {
        for (JsonNode d : study.get("deliveries")) if (d.get("destination").asText().equals(destination)) return d;
        throw new AssertionError("no delivery to " + destination + " in " + study);
    }

    private static WebDriver browser() {
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100",
                "--disable-background-networking", "--disable-extensions", "--no-first-run");
        return new ChromeDriver(service, options);
    }
}
