package org.triagerouter.app;

import static org.triagerouter.app.PacsFixture.await;
import static org.triagerouter.app.PacsFixture.get;
import static org.triagerouter.app.PacsFixture.send;
import static org.triagerouter.app.PacsFixture.srFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/** Running for months: nothing grows for ever, and ingest refuses before the database fills. */
class LifecycleTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;
    DatabaseSettings db;
    final List<AutoCloseable> running = new ArrayList<>();
    final List<Process> peers = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception { db = postgres.emptyDatabase(); }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable r : running) r.close();
        for (Process p : peers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Map<String, String> env(int dicomPort, int pacsPort, Map<String, String> extra) throws IOException {
        Map<String, String> env = new HashMap<>(Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_DICOM_PORT", String.valueOf(dicomPort),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString(),
                "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_DESTINATIONS", "pacs=PACS@127.0.0.1:" + pacsPort, "TRIAGE_REPORT_GRACE_SECONDS", "0"));
        env.putAll(extra);
        return env;
    }

    @Test
    void aDeliveredStudyLeavesTheSpoolAndTheDatabaseEvenWithItsOwnSrSentBack() throws Exception {
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Path pacs = startStorescp(pacsPort);
        running.add(RouterProcess.serve(work, env(dicomPort, pacsPort, Map.of("TRIAGE_SPOOL_RETENTION_DAYS", "0",
                "TRIAGE_DATABASE_IMAGE_RETENTION_DAYS", "0", "TRIAGE_DATABASE_JOB_RETENTION_DAYS", "0.0001",
                "TRIAGE_DATABASE_HISTORY_DAYS", "0.0003"))));
        String study = Uids.newUid(), series = Uids.newUid();
        List<Path> images = List.of(image(study, series, 1), image(study, series, 2));
        for (DimseStatus s : send(dicomPort, images)) assertTrue(s.isSuccess(), s.toString());
        await("the SR at the PACS", 60, () -> srFiles(pacs).size() == 1);
        // The PACS forwards our own SR back to the router (an auto-routing rule): it joins the study, and must not keep it for ever.
        for (DimseStatus s : send(dicomPort, srFiles(pacs))) assertTrue(s.isSuccess(), s.toString());
        assertEquals(3, count("select count(*) from instance"));

        await("every file of the delivered study deleted, the SR's included", 150, () -> spooledFiles() == 0);
        assertEquals(0, count("select count(*) from instance where file_deleted_at is null"));
        await("canonical images pruned", 90, () -> count("select count(*) from canonical_image") == 0);
        await("the study's history pruned once its files are gone", 150, () -> count("select count(*) from study") == 0);
        assertEquals(0, count("select count(*) from study_result"));
        assertEquals(0, count("select count(*) from delivery"));
        // The retention jobs themselves keep finishing: only those older than a prune period and a firing must be gone.
        assertEquals(0, count("select count(*) from job where state = 'done' and finished_at < now() - interval '80 seconds'"), "finished jobs pruned");
    }

    @Test
    void aDatabaseAboveItsCeilingRefusesNewInstancesAndSaysWhy() throws Exception {
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Map<String, String> env = env(dicomPort, pacsPort, Map.of("TRIAGE_DATABASE_MAX_SIZE_GB", "0.001")); // ~1 MB: a fresh schema is more
        RouterProcess router = RouterProcess.serve(work, env);
        running.add(router);
        int httpPort = Integer.parseInt(env.get("TRIAGE_HTTP_PORT"));
        await("readiness 503 naming the ceiling", 20, () -> get(httpPort, "/health/ready").contains("database above its size ceiling"));
        DimseStatus refused = send(dicomPort, List.of(image(Uids.newUid(), Uids.newUid(), 3))).get(0);
        assertEquals(DimseStatus.OUT_OF_RESOURCES, refused.code(), refused.toString());
        assertTrue(refused.toString().contains("router database above its size ceiling"), refused.toString());
        assertEquals(0, count("select count(*) from instance"), "nothing stored");
        String overview = get(httpPort, "/api/overview");
        assertTrue(overview.contains("database at") && overview.contains("new instances are refused"), overview);
        assertTrue(get(httpPort, "/metrics").contains("triage_database_size_bytes"), "size on /metrics");
        assertTrue(get(httpPort, "/metrics").contains("triage_spool_free_bytes"), "spool space on /metrics");
    }

    @Test
    void aBacklogOlderThanTheThresholdTurnsTheOverviewRed() throws Exception {
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Map<String, String> env = env(dicomPort, pacsPort, Map.of("TRIAGE_ALERTS_BACKLOG_MINUTES", "1", "TRIAGE_PREPARE_WORKERS", "0"));
        RouterProcess router = RouterProcess.serve(work, env);
        running.add(router);
        int httpPort = Integer.parseInt(env.get("TRIAGE_HTTP_PORT"));
        assertTrue(send(dicomPort, List.of(image(Uids.newUid(), Uids.newUid(), 4))).get(0).isSuccess());
        assertTrue(get(httpPort, "/api/overview").contains("\"alerts\":[]"), "no alert while the job is young");
        await("a backlog alert", 90, () -> get(httpPort, "/api/overview").contains("prepare backlog: the oldest job has waited"));
    }

    private Path image(String study, String series, long seed) throws IOException {
        return PacsFixture.image(work.resolve("images"), study, series, seed, 256);
    }

    private Path startStorescp(int port) throws Exception {
        Path out = work.resolve("pacs");
        peers.add(PacsFixture.startStorescp(port, out, work.resolve("storescp.log")));
        return out;
    }

    private long spooledFiles() throws IOException {
        try (Stream<Path> files = Files.walk(work.resolve("spool"))) {
            return files.filter(p -> p.toString().endsWith(".dcm")).count();
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
