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
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * A delivery's Storage Commitment in /api/studies/{uid} and on the study page: its state, the PACS's failure reason, and
 * only the latest request. The commitment rows are written as the dispatch stage writes them (StorageCommitmentTest there
 * makes them against Orthanc); the delivery stays delivered.
 */
class StudyStorageCommitmentTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    @TempDir
    Path work;
    private Database database;
    private WebServer server;

    @BeforeEach
    void seed() throws Exception {
        database = postgres.database();
        new SeededPipeline(database, work);
        try (Connection c = database.connection(); var s = c.createStatement()) {
            String delivery = "(select d.id from delivery d join study_result r on r.id = d.study_result_id join study st on st.id = r.study_id "
                    + "where st.study_instance_uid = '" + SeededPipeline.B + "' and d.destination = 'pacs')";
            s.execute("insert into storage_commitment (transaction_uid, delivery_id, state, sop_class_uids, sop_instance_uids, node, requested_at, "
                    + "expires_at, answered_at) values ('2.25.1', " + delivery + ", 'committed', '{1.2.840.10008.5.1.4.1.1.88.33}', '{2.25.50}', 'n1', "
                    + "now() - interval '1 hour', now(), now() - interval '59 minutes')");
            s.execute("insert into storage_commitment (transaction_uid, delivery_id, state, sop_class_uids, sop_instance_uids, node, expires_at, "
                    + "answered_at, reported_by, failed_instance_uids, reason) values ('2.25.2', " + delivery + ", 'failed', "
                    + "'{1.2.840.10008.5.1.4.1.1.88.33}', '{2.25.50}', 'n1', now() + interval '1 hour', now(), 'PACS@/10.0.0.5:104 (new association x-1)', "
                    + "'{2.25.50}', '2.25.50 0x0112 no such object instance')");
        }
        server = new WebServer(new WebSettings("127.0.0.1", 0, Access.open(), false, "ROUTER", 11112), new WebServer.Sources(database,
                new Readiness(database, Path.of(System.getProperty("java.io.tmpdir")), 0, () -> true), WebServerTest.model())).start();
    }

    @AfterEach
    void close() {
        if (server != null) server.close();
    }

    @Test
    void theApiShowsTheLatestCommitmentOfADelivery() throws Exception {
        JsonNode study = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/studies/" + SeededPipeline.B)).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode pacs = null;
        for (JsonNode d : study.get("deliveries")) if (d.get("destination").asText().equals("pacs")) pacs = d;
        JsonNode commitment = pacs.get("storageCommitment");
        assertEquals("failed", commitment.get("state").asText(), "the latest request: " + commitment);
        assertEquals("2.25.2", commitment.get("transactionUid").asText());
        assertEquals("2.25.50 0x0112 no such object instance", commitment.get("reason").asText());
        assertEquals("2.25.50", commitment.get("failedInstanceUids").get(0).asText());
        assertEquals("2.25.50", commitment.get("sopInstanceUids").get(0).asText());
        assertTrue(commitment.get("reportedBy").asText().contains("new association"), commitment.toString());
        assertTrue(commitment.has("answeredAt") && commitment.has("requestedAt"), commitment.toString());
        assertEquals("delivered", pacs.get("state").asText(), "the delivery itself stays delivered");
    }

    @Test
    void theStudyPageShowsTheCommitmentStateAndReason() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100");
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build(), options);
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/study.html?uid=" + SeededPipeline.B);
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> !d.findElements(By.cssSelector("#deliveries td[data-field='commitment'] .badge")).isEmpty());
            String cell = browser.findElement(By.cssSelector("#deliveries td[data-field='commitment']")).getText();
            assertTrue(cell.startsWith("failed") && cell.endsWith("2.25.50 0x0112 no such object instance"), cell);
        } finally {
            browser.quit();
        }
    }
}
