package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * The dashboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium)
 * against a real router: studies go through while the PACS is down, the pages show what the database
 * holds, and a click on Retry delivers the SR once the PACS is back.
 */
class DashboardBrowserTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();
    @TempDir Path work;

    @Test
    void pagesShowTheDatabaseAndRetryDeliversAFailedSr() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase(); // the router migrates it
        int dicomPort = RouterProcess.freePort(), httpPort = RouterProcess.freePort(), pacsPort = RouterProcess.freePort();
        Map<String, String> env = Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(), "TRIAGE_DATABASE_PASSWORD",
                db.password(), "TRIAGE_DICOM_PORT", String.valueOf(dicomPort), "TRIAGE_HTTP_PORT", String.valueOf(httpPort),
                "TRIAGE_SPOOL_DIR", work.resolve("spool").toString(), "TRIAGE_DICOM_BIND", "127.0.0.1",
                "TRIAGE_DESTINATIONS", "pacs=PACS@127.0.0.1:" + pacsPort, "TRIAGE_REPORT_GRACE_SECONDS", "1",
                "TRIAGE_DISPATCH_MAX_ATTEMPTS", "1");
        Path images = work.resolve("images");
        SyntheticChestImages.writeSet(images, 6, 600, 500, 7); // three studies of two images
        Path pacs = Files.createDirectories(work.resolve("pacs"));
        Process storescp = null;
        try (RouterProcess router = RouterProcess.serve(work, env)) {
            String base = "http://127.0.0.1:" + httpPort;
            Process send = new ProcessBuilder("storescu", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1", String.valueOf(dicomPort), "+sd",
                    images.toString()).redirectErrorStream(true).start();
            assertEquals(0, send.waitFor(), new String(send.getInputStream().readAllBytes()));
            // The PACS is down and one attempt is allowed: every delivery ends failed.
            awaitCount(db, "select count(*) from delivery where state = 'failed'", 3, router);

            WebDriver browser = chromium();
            try {
                browser.get(base + "/index.html");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                wait.until(d -> !cell(d, "dispatch", "failed").isEmpty());
                for (String stage : List.of("prepare", "infer", "report", "dispatch")) {
                    assertEquals(count(db, "select count(*) from job where kind = '" + stage + "' and state = 'failed'"),
                            Long.parseLong(cell(browser, stage, "failed")), stage + " failed");
                    assertEquals(count(db, "select count(*) from job where kind = '" + stage + "' and state = 'done'"),
                            Long.parseLong(cell(browser, stage, "done")), stage + " done");
                }
                assertEquals(count(db, "select count(*) from study"), Long.parseLong(browser.findElement(By.id("studies-last-hour")).getText()));
                assertEquals(count(db, "select count(*) from instance"), Long.parseLong(browser.findElement(By.id("instances-last-hour")).getText()));
                assertEquals("3", browser.findElement(By.cssSelector("#deliveries tr[data-destination='pacs'][data-state='failed'] "
                        + "[data-field='deliveries']")).getText());
                wait.until(d -> !d.findElements(By.cssSelector("#nodes tr[data-node]")).isEmpty());
                assertTrue(browser.findElement(By.cssSelector("#nodes tr[data-node]")).getText().contains("cpu"), "execution provider shown");

                browser.get(base + "/worklist.html");
                wait.until(d -> d.findElements(By.cssSelector("#worklist tr[data-study]")).size() == 3);
                List<String> shownOrder = new ArrayList<>();
                for (WebElement row : browser.findElements(By.cssSelector("#worklist tr[data-study]"))) {
                    shownOrder.add(row.getAttribute("data-study"));
                    assertEquals("DELIVERY_FAILED", row.findElement(By.cssSelector("[data-field='status']")).getText());
                }
                assertEquals(worklistOrder(db), shownOrder, "most urgent first, then first arrived");
                assertTrue(browser.findElements(By.cssSelector("#worklist img.thumb")).size() == 3, "a thumbnail per study");
                save(browser, "worklist.png");

                // The PACS comes back; one click on the failures page, and the SR is delivered.
                storescp = new ProcessBuilder("storescp", "-aet", "PACS", "-od", pacs.toString(), String.valueOf(pacsPort))
                        .redirectErrorStream(true).redirectOutput(work.resolve("storescp.log").toFile()).start();
                browser.get(base + "/failures.html");
                wait.until(d -> d.findElements(By.cssSelector("#failed-deliveries tr[data-delivery] button")).size() == 3);
                WebElement first = browser.findElement(By.cssSelector("#failed-deliveries tr[data-delivery]"));
                long deliveryId = Long.parseLong(first.getAttribute("data-delivery"));
                first.findElement(By.tagName("button")).click();
                wait.until(d -> d.findElements(By.cssSelector("#failed-deliveries tr[data-delivery='" + deliveryId + "']")).isEmpty());
                awaitCount(db, "select count(*) from delivery where state = 'delivered' and id = " + deliveryId, 1, router);
                assertEquals(2, count(db, "select count(*) from delivery where state = 'failed'"), "only the one clicked was retried");
                assertEquals(1, srFiles(pacs), "its SR reached the PACS");

                browser.get(base + "/worklist.html?status=DELIVERED");
                wait.until(d -> d.findElements(By.cssSelector("#worklist tr[data-study]")).size() == 1);
                browser.get(base + "/index.html");
                wait.until(d -> cell(d, "dispatch", "done").equals("1"));
                save(browser, "overview.png");
                browser.get(base + "/failures.html");
                wait.until(d -> d.findElements(By.cssSelector("#failed-deliveries tr[data-delivery]")).size() == 2);
                save(browser, "failures.png");
            } finally {
                browser.quit();
            }
        } finally {
            if (storescp != null) storescp.destroy();
        }
    }

    static WebDriver chromium() {
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100",
                "--disable-background-networking", "--disable-extensions", "--no-first-run", "--hide-scrollbars");
        return new ChromeDriver(service, options);
    }

    private static String cell(WebDriver browser, String stage, String field) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#stages tr[data-stage='" + stage + "'] [data-field='" + field + "']"));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    /** The order the worklist promises, computed independently from the rows. */
    private static List<String> worklistOrder(DatabaseSettings db) throws Exception {
        List<String> order = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery("""
                     select s.study_instance_uid from study s join study_result r on r.study_id = s.id
                      order by case r.priority when 'URGENT' then 0 when 'HIGH' then 1 else 2 end, s.first_received_at, s.id""")) {
            while (rs.next()) order.add(rs.getString(1));
        }
        return order;
    }

    private void save(WebDriver browser, String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(dir.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static long srFiles(Path pacs) throws Exception {
        try (Stream<Path> files = Files.list(pacs)) {
            return files.filter(p -> p.getFileName().toString().startsWith("SR")).count();
        }
    }

    private static long count(DatabaseSettings db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitCount(DatabaseSettings db, String sql, long expected, RouterProcess router) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        long seen = -1;
        while (System.currentTimeMillis() < deadline) {
            try {
                seen = count(db, sql);
                if (seen == expected) return;
            } catch (java.sql.SQLException notMigratedYet) {
                // the router creates the tables
            }
            Thread.sleep(200);
        }
        throw new AssertionError(sql + ": " + seen + ", expected " + expected + "\n" + router.output());
    }
}
