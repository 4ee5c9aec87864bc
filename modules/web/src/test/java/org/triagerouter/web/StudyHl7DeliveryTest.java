package org.triagerouter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresServer;

/** A study's HL7 deliveries in /api/studies/{uid} and on the study page: each message's type, control ID, ACK code and text. */
class StudyHl7DeliveryTest {
    private static PostgresServer postgres;
    private Database database;
    private WebServer server;

    @BeforeAll
    static void startPostgres() throws Exception { postgres = PostgresServer.start(); }

    @AfterAll
    static void stopPostgres() throws Exception { postgres.close(); }

    @BeforeEach
    void seed() throws Exception {
        database = new Database(postgres.createDatabase());
        database.migrate();
        new SeededPipeline(database);
        try (Connection c = database.connection()) {
            long resultA = id(c, "select r.id from study_result r join study s on s.id = r.study_id where s.study_instance_uid = ?", SeededPipeline.A);
            long resultB = id(c, "select r.id from study_result r join study s on s.id = r.study_id where s.study_instance_uid = ?", SeededPipeline.B);
            // A: the RIS took the priority message and rejected the result. B: both accepted, ordered by Study Instance UID.
            try (PreparedStatement s = c.prepareStatement("""
                    insert into delivery (study_result_id, destination, state, attempts, last_status, last_error, delivered_at, hl7_order_key,
                                          hl7_message_types, hl7_control_ids, hl7_ack_codes, hl7_ack_texts)
                    values (?, 'ris', 'failed', 1, 'ORM^O01 AA, ORU^R01 AR', 'ORU^R01 TR1-1-ORU answered AR: Unknown order', null,
                            'AccessionNumber', '{ORM^O01,ORU^R01}', '{TR1-1-ORM,TR1-1-ORU}', '{AA,AR}', '{NULL,"Unknown order"}'),
                           (?, 'ris', 'delivered', 2, 'ORU^R01 AA', null, now(), 'StudyInstanceUID', '{ORU^R01}', '{TR2-1-ORU}', '{AA}', '{NULL}')""")) {
                s.setLong(1, resultA);
                s.setLong(2, resultB);
                s.executeUpdate();
            }
        }
        server = new WebServer(new WebSettings("127.0.0.1", 0, Access.open(), false, "ROUTER", 11112), new WebServer.Sources(database,
                new Readiness(database, Path.of(System.getProperty("java.io.tmpdir")), 0, () -> true), WebServerTest.model())).start();
    }

    @AfterEach
    void close() throws Exception {
        server.close();
        database.close();
    }

    @Test
    void theApiShowsEachHl7MessageWithItsAckCodeAndText() throws Exception {
        JsonNode study = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/studies/" + SeededPipeline.A)).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode pacs = null, ris = null;
        for (JsonNode d : study.get("deliveries")) {
            if (d.get("destination").asText().equals("pacs")) pacs = d;
            if (d.get("destination").asText().equals("ris")) ris = d;
        }
        assertTrue(pacs.path("hl7").isMissingNode(), "a DICOM delivery has no HL7 part (nulls are left out)");
        assertEquals("AccessionNumber", ris.get("hl7").get("orderKey").asText());
        JsonNode messages = ris.get("hl7").get("messages");
        assertEquals(2, messages.size());
        assertEquals("ORM^O01", messages.get(0).get("type").asText());
        assertEquals("TR1-1-ORM", messages.get(0).get("controlId").asText());
        assertEquals("AA", messages.get(0).get("ackCode").asText());
        assertTrue(messages.get(0).path("ackText").isMissingNode());
        assertEquals("ORU^R01", messages.get(1).get("type").asText());
        assertEquals("TR1-1-ORU", messages.get(1).get("controlId").asText());
        assertEquals("AR", messages.get(1).get("ackCode").asText());
        assertEquals("Unknown order", messages.get(1).get("ackText").asText());
        assertEquals("failed", ris.get("state").asText());
    }

    @Test
    void theStudyPageShowsEachHl7Message() throws Exception {
        WebDriver browser = browser();
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + SeededPipeline.A);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            By cell = By.cssSelector("#deliveries tr td[data-field='hl7']");
            wait.until(d -> d.findElements(cell).size() == 2 && !d.findElements(By.cssSelector("[data-message='ORU^R01']")).isEmpty());
            List<String> cells = browser.findElements(cell).stream().map(WebElement::getText).toList();
            String ris = cells.stream().filter(t -> t.contains("ORU^R01")).findFirst().orElseThrow();
            assertTrue(ris.contains("ORM^O01 · TR1-1-ORM · AA"), ris);
            assertTrue(ris.contains("ORU^R01 · TR1-1-ORU · AR Unknown order"), ris);
            assertTrue(ris.contains("order key: Accession Number"), ris);
            assertTrue(cells.contains("–"), "the DICOM delivery has no HL7 messages: " + cells);

            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + SeededPipeline.B);
            wait.until(d -> d.findElements(By.cssSelector("[data-message='ORU^R01']")).size() == 1);
            String b = browser.findElement(By.cssSelector("[data-message='ORU^R01']")).findElement(By.xpath("..")).getText();
            assertTrue(b.contains("TR2-1-ORU · AA") && b.contains("Study Instance UID (no accession number)"), b);
        } finally {
            browser.quit();
        }
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

    private static long id(Connection c, String sql, String uid) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, uid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
