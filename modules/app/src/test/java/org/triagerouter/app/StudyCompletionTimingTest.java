package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triagerouter.app.PacsFixture.send;
import static org.triagerouter.app.PacsFixture.srFiles;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * A real router whose completion sweep runs once an hour: a study sent in one association reaches the PACS as an SR
 * grace + a short margin after its release, because its timer, not the sweep, completes it.
 */
class StudyCompletionTimingTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    static final Duration GRACE = Duration.ofSeconds(1);
    /** Report, SR and C-STORE to the PACS after the grace, on this shared machine (the old sweep alone was 500 ms). */
    static final Duration MARGIN = Duration.ofMillis(1000);

    @TempDir
    Path work;
    final List<AutoCloseable> running = new ArrayList<>();
    final List<Process> peers = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable r : running) r.close();
        for (Process p : peers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStudyReachesThePacsGraceAfterItsReleaseWithTheSweepAnHourAway() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase();
        int pacsPort = RouterProcess.freePort(), dicomPort = RouterProcess.freePort();
        Path pacs = work.resolve("pacs");
        peers.add(PacsFixture.startStorescp(pacsPort, pacs, work.resolve("storescp.log")));
        running.add(RouterProcess.serve(work, Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_DICOM_PORT", String.valueOf(dicomPort),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString(),
                "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_DESTINATIONS", "pacs=PACS@127.0.0.1:" + pacsPort,
                "TRIAGE_REPORT_GRACE_SECONDS", String.valueOf(GRACE.toSeconds()), "TRIAGE_REPORT_SWEEP_MS", "3600000")));

        // The first study warms the router up (class loading, the model's first run); the next three are timed.
        List<Duration> latencies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String study = Uids.newUid(), series = Uids.newUid();
            List<Path> images = List.of(PacsFixture.image(work.resolve("images"), study, series, 10L * i + 1, 256),
                    PacsFixture.image(work.resolve("images"), study, series, 10L * i + 2, 256));
            for (DimseStatus s : send(dicomPort, images)) assertTrue(s.isSuccess(), s.toString());
            long released = System.nanoTime();
            int expected = i + 1;
            long deadline = released + TimeUnit.SECONDS.toNanos(20);
            while (srFiles(pacs).size() < expected && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(expected, srFiles(pacs).size(), "SR of study " + (i + 1) + " at the PACS within 20 s (the sweep is an hour away)");
            if (i > 0) latencies.add(Duration.ofNanos(System.nanoTime() - released));
        }
        for (Duration latency : latencies) {
            assertTrue(latency.compareTo(GRACE.minusMillis(100)) >= 0, "not before the grace period: " + latencies);
            assertTrue(latency.compareTo(GRACE.plus(MARGIN)) <= 0, "grace + at most " + MARGIN.toMillis() + " ms after the release: " + latencies);
        }
    }
}
