package org.triagerouter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.testing.PostgresExtension;

/** The API as a script or the pages use it: real HTTP against a real server on a real PostgreSQL. */
class WebServerTest {
    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host"); // to send a rebinding page's Host header
    }

    private static final String ADMIN = "alice:wonderland-admin:admin", VIEWER = "bob:viewer-password:viewer";
    private static final String TOKEN = "scraper-token-0123456789";
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> closing = new ArrayList<>();
    @TempDir
    Path work;
    private Database database;
    private SeededPipeline seeded;

    @BeforeEach
    void seed() throws Exception {
        database = postgres.database();
        seeded = new SeededPipeline(database, work);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    private int start(Access access, boolean showPhi) {
        WebServer server = new WebServer(new WebSettings("127.0.0.1", 0, access, showPhi, "ROUTER", 11112), new WebServer.Sources(database,
                new Readiness(database, Path.of(System.getProperty("java.io.tmpdir")), 0, () -> true), model())).start();
        closing.add(server);
        return server.port();
    }

    private static Access secured() {
        List<Access.Credential> credentials = new ArrayList<>(Access.users(List.of(ADMIN, VIEWER)));
        credentials.addAll(Access.tokens(List.of(TOKEN + ":viewer")));
        return new Access(credentials);
    }

    static ModelInfo model() {
        return new ModelInfo("m", "1", false, false, "cpu", "balanced", List.of(new ModelInfo.OperatingPoint("balanced", 0.5, 0.9, 0.8)),
                List.of(new ModelInfo.PriorityBand(0, 0.5, "ROUTINE"), new ModelInfo.PriorityBand(0.5, 1, "URGENT")), "id: m\n");
    }

    @Test
    void healthIsOpenButEverythingElseNeedsACredential() throws Exception {
        int port = start(secured(), false);
        assertEquals(200, get(port, "/health/live", null).statusCode());
        assertEquals(200, get(port, "/health/ready", null).statusCode());
        for (String path : List.of("/api/overview", "/index.html", "/metrics", "/api/worklist", "/")) {
            HttpResponse<String> refused = get(port, path, null);
            assertEquals(401, refused.statusCode(), path);
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), "the browser is asked to log in");
        }
        assertEquals(401, get(port, "/api/overview", basic("bob:wrong")).statusCode());
        assertEquals(401, get(port, "/api/overview", "Bearer not-the-token-at-all").statusCode());
        assertEquals(200, get(port, "/api/overview", basic(VIEWER)).statusCode());
        assertEquals(200, get(port, "/metrics", "Bearer " + TOKEN).statusCode());
        HttpResponse<String> page = get(port, "/index.html", basic(VIEWER));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Queue per stage"));
        assertEquals("viewer", json(get(port, "/api/me", basic(VIEWER))).get("role").asText());
    }

    @Test
    void retryNeedsTheAdminRoleAndTheActionHeader() throws Exception {
        int port = start(secured(), false);
        String path = "/api/deliveries/" + seeded.failedDeliveryId + "/retry";
        assertEquals(403, post(port, path, basic(VIEWER), true).statusCode(), "a viewer may look, not act");
        assertEquals(403, post(port, path, basic(ADMIN), false).statusCode(), "no action header: could be a cross-site form");
        assertEquals("failed", deliveryState(), "refused actions change nothing");
        HttpResponse<String> done = post(port, path, basic(ADMIN), true);
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(1, json(done).get("retried").asInt());
        assertEquals("pending", deliveryState());
        assertEquals("queued", scalar("select state from job where id = " + seeded.failedDispatchJobId));
        assertEquals(409, post(port, path, basic(ADMIN), true).statusCode(), "a second click finds nothing to retry");

        HttpResponse<String> job = post(port, "/api/jobs/" + seeded.failedPrepareJobId + "/retry", basic(ADMIN), true);
        assertEquals(200, job.statusCode(), job.body());
        assertEquals("queued", scalar("select state from job where id = " + seeded.failedPrepareJobId));
        assertEquals(400, post(port, "/api/jobs/x/retry", basic(ADMIN), true).statusCode());
    }

    @Test
    void finalReadsPostedThroughTheApiShowAsRunningAgreement() throws Exception {
        int port = start(secured(), false);
        assertEquals(200, postJson(port, "{\"studyInstanceUid\":\"" + SeededPipeline.A + "\",\"label\":\"ABNORMAL\",\"reader\":\"r1\"}").statusCode());
        assertEquals(200, postJson(port, "{\"accessionNumber\":\"ACC-B\",\"label\":\"abnormal\"}").statusCode(), "by accession, any case");
        assertEquals(200, postJson(port, "{\"studyInstanceUid\":\"" + SeededPipeline.D + "\",\"label\":\"1\"}").statusCode());
        assertEquals(200, postJson(port, "{\"studyInstanceUid\":\"" + SeededPipeline.D + "\",\"label\":\"NORMAL\"}").statusCode(),
                "a later read replaces the earlier one");
        assertEquals(200, postJson(port, "{\"studyInstanceUid\":\"" + SeededPipeline.C + "\",\"label\":\"NORMAL\"}").statusCode(),
                "recorded, but C has no result yet: not counted");
        assertEquals(404, postJson(port, "{\"studyInstanceUid\":\"2.25.404\",\"label\":\"NORMAL\"}").statusCode());
        HttpResponse<String> bad = postJson(port, "{\"studyInstanceUid\":\"" + SeededPipeline.A + "\",\"label\":\"maybe\"}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("not NORMAL or ABNORMAL"), bad.body());
        assertEquals(400, postJson(port, "not json").statusCode());

        // A: AI abnormal, read abnormal (TP). B: AI normal, read abnormal (FN). D: AI abnormal, read normal (FP).
        JsonNode agreement = json(get(port, "/api/model", basic(VIEWER))).get("agreement");
        assertEquals(3, agreement.get("reads").asLong());
        assertEquals(1, agreement.get("truePositive").asLong());
        assertEquals(1, agreement.get("falseNegative").asLong());
        assertEquals(1, agreement.get("falsePositive").asLong());
        assertEquals(0, agreement.get("trueNegative").asLong());
        assertEquals(1.0 / 3, agreement.get("agreement").asDouble(), 1e-9);
        assertEquals(0.5, agreement.get("sensitivity").asDouble(), 1e-9);
        assertEquals(0.0, agreement.get("specificity").asDouble(), 1e-9);
        assertEquals("4", scalar("select count(*) from ground_truth"), "A, B, C, D: one row per study");
    }

    private HttpResponse<String> postJson(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ground-truth"))
                .header("Authorization", basic(ADMIN)).header(WebServer.ACTION_HEADER, "1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void overviewCountsMatchTheDatabase() throws Exception {
        JsonNode overview = json(get(start(Access.open(), false), "/api/overview", null));
        JsonNode prepare = stage(overview, "prepare");
        assertEquals(Long.parseLong(scalar("select count(*) from job where kind = 'prepare' and state = 'queued'")), prepare.get("queued").asLong());
        assertEquals(1, prepare.get("failed").asLong());
        assertEquals("queued-one", prepare.get("oldestWaitingSubject").asText());
        assertTrue(prepare.get("oldestWaitingSeconds").asDouble() >= 42, overview.toString());
        assertEquals(3, stage(overview, "infer").get("doneLastHour").asLong(), "A, B and D were scored");
        assertEquals(1, stage(overview, "dispatch").get("failed").asLong());
        assertEquals(4, overview.get("studiesLastHour").asLong());
        long abnormalUrgent = 0;
        for (JsonNode r : overview.get("results")) {
            if (r.get("category").asText().equals("ABNORMAL") && r.get("priority").asText().equals("URGENT")) abnormalUrgent = r.get("studies").asLong();
        }
        assertEquals(1, abnormalUrgent);
        JsonNode throughput = json(get(start(Access.open(), false), "/api/throughput", null));
        assertEquals(60, throughput.get("minutes").size());
        long received = 0;
        for (JsonNode n : throughput.get("instancesReceived")) received += n.asLong();
        assertEquals(4, received, "every instance of the last hour, one bucket per minute");
    }

    @Test
    void worklistPutsTheMostUrgentFirstThenTheLongestWaitingAndFilters() throws Exception {
        int port = start(Access.open(), false);
        assertEquals(List.of(SeededPipeline.A, SeededPipeline.D, SeededPipeline.B, SeededPipeline.C), uids(port, ""));
        assertEquals(List.of(SeededPipeline.A, SeededPipeline.D), uids(port, "?category=ABNORMAL"));
        assertEquals(List.of(SeededPipeline.A), uids(port, "?status=DELIVERY_FAILED"));
        assertEquals(List.of(SeededPipeline.B), uids(port, "?status=DELIVERED"));
        assertEquals(List.of(SeededPipeline.C), uids(port, "?category=NONE&status=PROCESSING"));
        HttpResponse<String> bad = get(port, "/api/worklist?category=SPLENDID", null);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("category must be one of"), bad.body());
        JsonNode first = json(get(port, "/api/worklist", null)).get(0);
        assertEquals(0.93, first.get("score").asDouble(), 1e-9);
        assertTrue(first.get("hasThumbnail").asBoolean());
        assertTrue(first.get("waitingSeconds").asDouble() >= 29 * 60);
    }

    @Test
    void patientIdentifiersAppearOnlyWithShowPhi() throws Exception {
        int hidden = start(Access.open(), false), shown = start(Access.open(), true);
        for (String path : List.of("/api/worklist", "/api/studies/" + SeededPipeline.A)) {
            String body = get(hidden, path, null).body();
            for (String phi : List.of("SYNTHETIC^PID-A", "PID-A", "ACC-A")) assertFalse(body.contains(phi), path + " leaks " + phi);
            String full = get(shown, path, null).body();
            for (String phi : List.of("SYNTHETIC^PID-A", "PID-A", "ACC-A")) assertTrue(full.contains(phi), path + " should show " + phi);
        }
    }

    @Test
    void studyShowsItsTimelineImagesAndDeliveries() throws Exception {
        int port = start(Access.open(), false);
        JsonNode study = json(get(port, "/api/studies/" + SeededPipeline.A, null));
        assertEquals("DELIVERY_FAILED", study.get("summary").get("status").asText());
        assertEquals(0.93, study.get("images").get(0).get("score").asDouble(), 1e-9);
        assertEquals("failed", study.get("deliveries").get(0).get("state").asText());
        assertTrue(study.get("deliveries").get(0).get("lastError").asText().contains("Connection refused"));
        Set<String> steps = new TreeSet<>();
        for (JsonNode e : study.get("timeline")) steps.add(e.get("what").asText());
        assertTrue(steps.contains("instance received") && steps.contains("job done") && steps.stream().anyMatch(s -> s.startsWith("result revision 1")),
                steps.toString());
        assertEquals(404, get(port, "/api/studies/2.25.404", null).statusCode());
    }

    @Test
    void failuresListDeadLettersWithTheirStudyAndReasonOnce() throws Exception {
        JsonNode failures = json(get(start(Access.open(), false), "/api/failures", null));
        assertEquals(1, failures.get("jobs").size(), "the failed dispatch job is shown as its delivery, not twice: " + failures);
        JsonNode job = failures.get("jobs").get(0);
        assertEquals("prepare", job.get("stage").asText());
        assertEquals(SeededPipeline.C, job.get("studyInstanceUid").asText());
        assertTrue(job.get("error").asText().startsWith("unsupported transfer syntax"));
        JsonNode delivery = failures.get("deliveries").get(0);
        assertEquals(seeded.failedDeliveryId, delivery.get("id").asLong());
        assertEquals(SeededPipeline.A, delivery.get("studyInstanceUid").asText());
        assertEquals(seeded.failedDispatchJobId, delivery.get("jobId").asLong());
    }

    @Test
    void thumbnailIsASmallPngOfTheDecidingImage() throws Exception {
        int port = start(Access.open(), false);
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/studies/"
                + SeededPipeline.A + "/thumbnail.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertNotNull(thumbnail);
        assertEquals(Thumbnails.HEIGHT, thumbnail.getHeight());
        assertEquals(64, thumbnail.getWidth(), "200x300 scaled to 96 high");
        assertEquals(404, get(port, "/api/studies/" + SeededPipeline.C + "/thumbnail.png", null).statusCode(), "not prepared yet");
    }

    @Test
    void metricsCountStageOutcomesAndShowQueueDepth() throws Exception {
        int port = start(Access.open(), false);
        JobQueue queue = new JobQueue(database);
        List<Job> claimed = queue.claim(JobKind.PREPARE, "metrics-test", "n1", 1, Duration.ofMinutes(1));
        assertEquals(1, claimed.size());
        assertEquals(JobQueue.Recorded.DONE, queue.record(claimed.get(0), "metrics-test", Outcome.done(), RetryPolicy.DEFAULT));
        String metrics = get(port, "/metrics", null).body();
        assertTrue(metrics.matches("(?s).*triage_jobs_total\\{outcome=\"done\",stage=\"prepare\"} [1-9].*"), metrics);
        assertTrue(metrics.contains("triage_job_latency_seconds_bucket{stage=\"prepare\""), "a latency histogram per stage");
        assertTrue(metrics.contains("hikaricp_connections"), "pool figures");
        long deadline = System.currentTimeMillis() + 15_000;
        Pattern failedGauge = Pattern.compile("triage_queue_jobs\\{stage=\"dispatch\",state=\"failed\"} ([0-9.]+)");
        Matcher m = failedGauge.matcher(metrics);
        while (!(m.find() && Double.parseDouble(m.group(1)) == 1.0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            m = failedGauge.matcher(get(port, "/metrics", null).body());
        }
        m = failedGauge.matcher(get(port, "/metrics", null).body());
        assertTrue(m.find() && Double.parseDouble(m.group(1)) == 1.0, "the dead-lettered dispatch job shows as a gauge");
    }

    @Test
    void theWorklistShowsTheNewestResultEvenWhenAnOlderOneIsInsertedLate() throws Exception {
        int port = start(Access.open(), false);
        try (Connection c = database.connection()) {
            long a = Long.parseLong(scalar("select id from study where study_instance_uid = '" + SeededPipeline.A + "'"));
            SeededPipeline.exec(c, "insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, "
                    + "image_count) values (?, 'm', '1', 2, 'REPORTED', 'ABNORMAL', 0.95, 'URGENT', 2)", a);
            SeededPipeline.exec(c, "insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, "
                    + "image_count, created_at) values (?, 'm', '0', 1, 'REPORTED', 'NORMAL', 0.1, 'ROUTINE', 1, now() - interval '1 hour')", a);
        }
        JsonNode first = json(get(port, "/api/worklist", null)).get(0);
        assertEquals(SeededPipeline.A, first.get("studyInstanceUid").asText(), "still first: URGENT");
        assertEquals(2, first.get("revision").asInt(), "the newest result, not the one inserted last");
        assertEquals(0.95, first.get("score").asDouble(), 1e-9);
    }

    @Test
    void failedRequestsGiveBackTheirDatabaseSlot() throws Exception {
        int port = start(Access.open(), false);
        for (int i = 0; i < 3 * WebServer.DATABASE_SLOTS; i++) {
            assertEquals(404, get(port, "/api/studies/2.25.404", null).statusCode());
            assertEquals(400, get(port, "/api/worklist?status=GONE", null).statusCode());
        }
        long start = System.nanoTime();
        assertEquals(200, get(port, "/api/overview", null).statusCode());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "no slot leaked: the request did not wait for one");
    }

    @Test
    void openModeAnswersOnlyRequestsForALoopbackName() throws Exception {
        int port = start(Access.open(), false);
        HttpResponse<String> rebound = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/overview"))
                .header("Host", "attacker.example").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, rebound.statusCode(), "a DNS-rebinding page names its own domain");
        assertEquals(200, get(port, "/api/overview", null).statusCode(), "127.0.0.1 is fine");
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                .header("Host", "attacker.example").build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "health stays open");
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + start(secured(), false) + "/health/../index.html"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "only the exact health paths are open");
    }

    @Test
    void aListenerReachableFromTheNetworkNeedsCredentials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WebServer(
                new WebSettings("0.0.0.0", 0, Access.open(), false, "ROUTER", 11112),
                new WebServer.Sources(database, new Readiness(database, Path.of("."), 0, () -> true), model())));
        assertTrue(e.getMessage().contains("http.users"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Access.tokens(List.of("short:admin")), "guessable tokens are refused");
        assertThrows(IllegalArgumentException.class, () -> Access.users(List.of("carol:pw:owner")), "unknown roles are refused");
    }

    @Test
    void openApiFileDescribesEveryRoute() throws Exception {
        WebServer server = new WebServer(new WebSettings("127.0.0.1", 0, Access.open(), false, "ROUTER", 11112),
                new WebServer.Sources(database, new Readiness(database, Path.of("."), 0, () -> true), model()));
        closing.add(server);
        Set<String> routes = new TreeSet<>(server.routes());
        Set<String> documented = new TreeSet<>();
        String path = null;
        for (String line : Files.readAllLines(openApiFile())) {
            Matcher p = Pattern.compile("^  (/\\S*):\\s*$").matcher(line);
            Matcher op = Pattern.compile("^    (get|post|put|delete|patch):\\s*$").matcher(line);
            if (p.matches()) path = p.group(1);
            else if (op.matches() && path != null) documented.add(op.group(1).toUpperCase() + " " + path);
        }
        assertEquals(routes, documented, "docs/openapi.yaml and the server's routes");
    }

    static Path openApiFile() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/openapi.yaml"))) dir = dir.getParent();
        assertNotNull(dir, "docs/openapi.yaml not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("docs/openapi.yaml");
    }

    private List<String> uids(int port, String query) throws Exception {
        List<String> uids = new ArrayList<>();
        for (JsonNode e : json(get(port, "/api/worklist" + query, null))) uids.add(e.get("studyInstanceUid").asText());
        return uids;
    }

    private static JsonNode stage(JsonNode overview, String name) {
        for (JsonNode s : overview.get("stages")) if (s.get("stage").asText().equals(name)) return s;
        throw new AssertionError("no stage " + name + " in " + overview);
    }

    private String deliveryState() throws Exception { return scalar("select state from delivery where id = " + seeded.failedDeliveryId); }

    private String scalar(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private static String basic(String userPasswordRole) {
        String[] p = userPasswordRole.split(":");
        return "Basic " + Base64.getEncoder().encodeToString((p[0] + ":" + p[1]).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) request.header("Authorization", authorization);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int port, String path, String authorization, boolean actionHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) request.header("Authorization", authorization);
        if (actionHeader) request.header(WebServer.ACTION_HEADER, "1");
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
