package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;
import org.triagerouter.store.testing.PrivatePostgres;

/** The run contract, exercised as a user would: the router's main class in a real subprocess. */
class CommandLineTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;
    Map<String, String> database;

    @BeforeEach
    void freshDatabase() {
        DatabaseSettings db = postgres.emptyDatabase(); // empty: serve and db migrate apply the schema themselves
        database = Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(), "TRIAGE_DATABASE_PASSWORD", db.password());
    }

    @Test
    @PrivatePostgres
    void serveLogsOneReadyLineAndAnswersEchoSendAndHealth() throws Exception {
        int dicomPort = RouterProcess.freePort(), httpPort = RouterProcess.freePort(), pacsPort = RouterProcess.freePort();
        Path spool = work.resolve("spool");
        Path pacs = Files.createDirectories(work.resolve("pacs"));
        Process storescp = new ProcessBuilder("storescp", "-aet", "PACS", "-od", pacs.toString(), String.valueOf(pacsPort))
                .redirectErrorStream(true).redirectOutput(work.resolve("storescp.log").toFile()).start();
        Map<String, String> env = Map.of("TRIAGE_DICOM_PORT", String.valueOf(dicomPort), "TRIAGE_HTTP_PORT", String.valueOf(httpPort),
                "TRIAGE_SPOOL_DIR", spool.toString(), "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_DICOM_AE_TITLE", "ROUTER_UT",
                "TRIAGE_DESTINATIONS", "pacs=PACS@127.0.0.1:" + pacsPort, "TRIAGE_REPORT_GRACE_SECONDS", "1");
        Files.createDirectories(spool.resolve("incoming"));
        Files.writeString(spool.resolve("incoming/rx-left-over.part"), "partial");
        Files.createDirectories(spool.resolve("2.25.1"));
        Files.writeString(spool.resolve("2.25.1/2.25.2.dcm"), "a file no row knows");
        Path log = work.resolve("serve.log");
        Process serve = start(env, log, "serve");
        try {
            String ready = RouterProcess.awaitLine(log, "Triage Router ready", serve, 30);
            assertTrue(ready.contains("AE title ROUTER_UT") && ready.contains("DICOM port " + dicomPort)
                    && ready.contains("HTTP port " + httpPort), ready);
            assertEquals(1, Files.readString(log).lines().filter(l -> l.contains("ready")).count());
            assertTrue(Files.notExists(spool.resolve("incoming/rx-left-over.part")), "partial file from a previous run removed");
            assertTrue(Files.notExists(spool.resolve("2.25.1/2.25.2.dcm")), "unrecorded file moved out of the study folders");
            assertEquals("a file no row knows", Files.readString(spool.resolve("orphans/2.25.1/2.25.2.dcm")), "and kept (unreadable) in orphans/");

            HttpResponse<String> live = get(httpPort, "/health/live");
            assertEquals(200, live.statusCode());
            HttpResponse<String> readiness = get(httpPort, "/health/ready");
            assertEquals(200, readiness.statusCode(), readiness.body());
            assertTrue(readiness.body().contains("\"status\":\"ready\""), readiness.body());

            Result echo = run(env, "echo", "ROUTER_UT@127.0.0.1:" + dicomPort);
            assertEquals(0, echo.exitCode, echo.output);
            assertTrue(echo.output.contains("Success"), echo.output);

            Path images = work.resolve("images");
            SyntheticChestImages.writeSet(images, 3, 600, 500, 4);
            Files.writeString(images.resolve("notes.txt"), "not DICOM");
            Result send = run(env, "send", "--priority", "HIGH", "ROUTER_UT@127.0.0.1:" + dicomPort, images.toString());
            assertEquals(1, send.exitCode, "a skipped file makes the exit code 1: " + send.output);
            assertTrue(send.output.matches("(?s).*Success 0x0000\\s+3.*"), send.output);
            assertTrue(send.output.matches("(?s).*Skipped \\(not a DICOM Part 10 file\\)\\s+1.*"), send.output);
            assertTrue(send.output.contains("3/3 files"), "progress bar: " + send.output);
            try (Stream<Path> files = Files.walk(spool)) {
                assertEquals(3, files.filter(p -> p.toString().endsWith(".dcm") && !p.startsWith(spool.resolve("orphans"))).count());
            }
            assertTrue(Files.readString(log).contains("priority HIGH"), "priority reaches the router");

            // The pipeline runs behind ingest: the two frontal images are prepared and scored, the lateral is not.
            long deadline = System.currentTimeMillis() + 60_000;
            while (scoreCount() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assertEquals(2, scoreCount(), Files.readString(log));
            assertTrue(Files.readString(log).contains("model triage-demo version 1 on cpu (DEMO MODEL"), "one clear line says it is a demo model");

            // The whole loop: Quartz finds both studies complete, the report stage writes their SRs, dispatch delivers them.
            deadline = System.currentTimeMillis() + 60_000;
            while (srCount(pacs) < 2 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assertEquals(2, srCount(pacs), Files.readString(log));
            // The SR reaches the PACS a moment before the router records the delivery: wait for the record.
            Result status = run(env, "status");
            deadline = System.currentTimeMillis() + 20_000;
            while (!status.output.matches("(?s).*pacs\\s+delivered\\s+2.*") && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                status = run(env, "status");
            }
            assertEquals(0, status.exitCode, status.output);
            assertTrue(status.output.matches("(?s).*dispatch\\s+0 /\\s+0 /\\s+2 /\\s+0.*"), status.output);
            assertTrue(status.output.matches("(?s).*pacs\\s+delivered\\s+2.*"), status.output);

            // The same loop on /metrics: instances answered per status, stage outcomes, latency histograms.
            String metrics = get(httpPort, "/metrics").body();
            assertTrue(metrics.contains("triage_instances_received_total{status=\"0x0000\"} 3.0"), metrics);
            assertTrue(metrics.contains("triage_jobs_total{outcome=\"done\",stage=\"dispatch\"} 2.0"), metrics);
            assertTrue(metrics.contains("triage_job_latency_seconds_count{stage=\"infer\"} 2"), metrics);
            assertTrue(metrics.contains("triage_ingest_commit_seconds_bucket"), metrics);

            // Readiness follows the database: stopped, the router says so (and stays live); back, ready again.
            postgres.privateServer().stopServer();
            try {
                HttpResponse<String> notReady = get(httpPort, "/health/ready");
                assertEquals(503, notReady.statusCode(), notReady.body());
                assertTrue(notReady.body().contains("database unreachable"), notReady.body());
                assertEquals(200, get(httpPort, "/health/live").statusCode());
            } finally {
                postgres.privateServer().startServer();
            }
            long readyBy = System.currentTimeMillis() + 20_000;
            while (get(httpPort, "/health/ready").statusCode() != 200 && System.currentTimeMillis() < readyBy) Thread.sleep(200);
            assertEquals(200, get(httpPort, "/health/ready").statusCode());
        } finally {
            serve.destroy();
            storescp.destroy();
            assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
    }

    @Test
    void serveRefusesAModelWhoseManifestDoesNotMatchIt() throws Exception {
        Path models = work.resolve("models");
        Path manifest = org.triagerouter.inference.DemoModel.write(models);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("name: image", "name: pixels"));
        Result result = runToEnd(Map.of("TRIAGE_MODEL", manifest.toString(), "TRIAGE_DICOM_PORT", String.valueOf(RouterProcess.freePort()),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString()), "serve");
        assertEquals(2, result.exitCode, result.output);
        assertTrue(result.output.contains("cannot start: model: ") && result.output.contains("'pixels'") && result.output.contains("image"),
                result.output);
    }

    @Test
    void serveExitsNonZeroWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Result result = runToEnd(Map.of("TRIAGE_DICOM_PORT", String.valueOf(taken.getLocalPort()),
                    "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString()), "serve");
            assertEquals(2, result.exitCode, result.output);
            assertTrue(result.output.contains("cannot start: cannot listen on 0.0.0.0:" + taken.getLocalPort()), result.output);
        }
    }

    @Test
    void serveExitsNonZeroWhenTheHttpPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Result result = runToEnd(Map.of("TRIAGE_DICOM_PORT", String.valueOf(RouterProcess.freePort()),
                    "TRIAGE_HTTP_PORT", String.valueOf(taken.getLocalPort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString()), "serve");
            assertEquals(2, result.exitCode, result.output);
            assertTrue(result.output.contains("cannot listen for HTTP"), result.output);
        }
    }

    @Test
    void serveExitsNonZeroWhenTheSpoolCannotBeWritten() throws Exception {
        Path file = Files.writeString(work.resolve("a-file"), "x");
        Result result = runToEnd(Map.of("TRIAGE_DICOM_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()),
                "TRIAGE_SPOOL_DIR", file.resolve("spool").toString()), "serve");
        assertEquals(2, result.exitCode, result.output);
        assertTrue(result.output.contains("spool directory") && result.output.contains("cannot be created"), result.output);
    }

    @Test
    void serveExitsNonZeroOnBadConfiguration() throws Exception {
        Result result = runToEnd(Map.of("TRIAGE_DICOM_PORT", "eleven"), "serve");
        assertEquals(2, result.exitCode, result.output);
        assertTrue(result.output.contains("bad configuration: dicom.port (TRIAGE_DICOM_PORT) must be a whole number"), result.output);

        Path yaml = Files.writeString(work.resolve("bad.yaml"), "dicom: [unclosed");
        Result badYaml = runToEnd(Map.of(), "serve", "--config", yaml.toString());
        assertEquals(2, badYaml.exitCode, badYaml.output);
        assertTrue(badYaml.output.contains("is not valid YAML"), badYaml.output);
    }

    @Test
    void serveExitsNonZeroWhenTheDatabaseIsUnreachable() throws Exception {
        int nobody = RouterProcess.freePort();
        Result result = runToEnd(Map.of("TRIAGE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + nobody + "/triage",
                "TRIAGE_DATABASE_TIMEOUT_SECONDS", "1", "TRIAGE_DICOM_PORT", String.valueOf(RouterProcess.freePort()),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString()), "serve");
        assertEquals(2, result.exitCode, result.output);
        assertTrue(result.output.contains("cannot start: database jdbc:postgresql://127.0.0.1:" + nobody + "/triage unavailable"), result.output);
    }

    @Test
    void dbMigrateAppliesTheSchemaOnce() throws Exception {
        Result first = runToEnd(Map.of(), "db", "migrate");
        assertEquals(0, first.exitCode, first.output);
        assertTrue(first.output.matches("(?s).*[1-9][0-9]* migration\\(s\\) applied.*"), first.output);
        Result second = runToEnd(Map.of(), "db", "migrate");
        assertEquals(0, second.exitCode, second.output);
        assertTrue(second.output.contains("0 migration(s) applied"), second.output);
    }

    @Test
    void sendSummarisesFailureStatusesAndExitsNonZero() throws Exception {
        ServerSettings settings = new ServerSettings("FULL", "127.0.0.1", 0, java.util.Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4, Duration.ofSeconds(10), Duration.ofSeconds(10), work.resolve("incoming"), null);
        try (DicomServer full = new DicomServer(settings, instance -> DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "disk full"))) {
            full.start();
            Path images = work.resolve("images");
            SyntheticChestImages.writeSet(images, 2, 300, 200, 9);
            Result send = runToEnd(Map.of(), "send", "FULL@127.0.0.1:" + full.port(), images.toString());
            assertEquals(1, send.exitCode, send.output);
            assertTrue(send.output.matches("(?s).*Failure 0xA700\\s+2.*"), send.output);
            assertTrue(send.output.contains("disk full"), send.output);
        }
    }

    @Test
    void echoToNobodyIsAClearError() throws Exception {
        int port = RouterProcess.freePort();
        Result echo = runToEnd(Map.of(), "echo", "--timeout", "2", "NOBODY@127.0.0.1:" + port);
        assertEquals(1, echo.exitCode, echo.output);
        assertTrue(echo.output.contains("cannot connect to NOBODY@127.0.0.1:" + port), echo.output);
        Result malformed = runToEnd(Map.of(), "echo", "no-port-here");
        assertEquals(2, malformed.exitCode, malformed.output);
        assertTrue(malformed.output.contains("expected AE@HOST:PORT"), malformed.output);
    }

    record Result(int exitCode, String output) {}

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long srCount(Path pacs) throws IOException {
        try (Stream<Path> files = Files.list(pacs)) {
            return files.filter(p -> p.getFileName().toString().startsWith("SR")).count();
        }
    }

    private long scoreCount() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(database.get("TRIAGE_DATABASE_URL"), "triage", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("select count(*) from score")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException notYetMigrated) {
            return 0;
        }
    }

    private Process start(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        environment.putAll(database);
        environment.put("TRIAGE_SPOOL_MIN_FREE_MB", "0");
        environment.putAll(env);
        return builder.start();
    }

    private Result run(Map<String, String> env, String... args) throws Exception { return runToEnd(env, args); }

    private Result runToEnd(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile(work, "cmd-", ".log");
        Process process = start(new HashMap<>(env), log, args);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish: " + String.join(" ", args) + "\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }


}
