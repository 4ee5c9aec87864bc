package org.triagerouter.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.ingest.DurableStoreHandler;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * A study is complete at the moment its rule says, with no sweep running: grace after its association's release,
 * later when another image (on this node or another) arrives first, at once when its last image is finished after
 * that; two nodes racing queue one report; a timer lost with its node is covered by the sweep.
 */
class CompletionTimersTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    static final Duration GRACE = Duration.ofSeconds(1);
    /** How late after its moment a study may be queued on this shared, busy machine (the sweep it replaces was 500 ms). */
    static final Duration MARGIN = Duration.ofMillis(500);

    @TempDir
    Path work;
    final List<AutoCloseable> closing = new ArrayList<>();
    int seed = 1;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    @Test
    void aStudyIsCompleteGraceAfterItsReleaseWithoutASweep() throws Exception {
        Node a = node("node-a", GRACE);
        String study = Uids.newUid();
        Association sent = a.open();
        sent.store(image(study));
        sent.store(image(study));
        a.finishImages();
        Instant released = sent.release();

        Duration waited = awaitReport(study, GRACE.plus(MARGIN).plusSeconds(2), released);
        assertTrue(waited.compareTo(GRACE.minusMillis(100)) >= 0, "not before the grace period: " + waited);
        assertTrue(waited.compareTo(GRACE.plus(MARGIN)) <= 0, "at grace + at most " + MARGIN.toMillis() + " ms: " + waited);
        assertEquals(1, reportJobs(study));
        assertEquals(0, a.timers.pending(), "nothing left armed once it is queued");
    }

    @Test
    void anImageArrivingBeforeTheTimerFiresMovesItToTheNewRelease() throws Exception {
        Node a = node("node-a", GRACE);
        String study = Uids.newUid();
        Association first = a.open();
        first.store(image(study));
        a.finishImages();
        Instant firstRelease = first.release();
        Thread.sleep(400);
        Association second = a.open();
        second.store(image(study));
        Thread.sleep(300);
        Instant secondRelease = second.release(); // 700 ms after the first: the first timer (at 1000 ms) has not fired yet

        sleepUntil(firstRelease.plus(GRACE).plusMillis(250));
        assertEquals(0, reportJobs(study), "the first release's timer fired, found the later release, and armed again");
        a.finishImages(); // its second image prepared before the new moment: only the timer armed again can complete it
        Duration waited = awaitReport(study, GRACE.plus(MARGIN).plusSeconds(2), secondRelease);
        assertTrue(waited.compareTo(GRACE.minusMillis(100)) >= 0 && waited.compareTo(GRACE.plus(MARGIN)) <= 0,
                "grace after the second release: " + waited);
    }

    @Test
    void anImageAnotherNodeIsStillReceivingHoldsTheStudyOpen() throws Exception {
        Node a = node("node-a", GRACE);
        Node b = node("node-b", GRACE);
        String study = Uids.newUid();
        Association onA = a.open();
        onA.store(image(study));
        a.finishImages();
        Instant releasedOnA = onA.release();
        Thread.sleep(300);
        Association onB = b.open(); // same study, other node, its association still open when node a's timer fires
        onB.store(image(study));
        b.finishImages();

        sleepUntil(releasedOnA.plus(GRACE).plusMillis(500));
        assertEquals(0, reportJobs(study), "node a's timer read node b's open association and did not complete the study");
        Instant releasedOnB = onB.release();
        Duration waited = awaitReport(study, GRACE.plus(MARGIN).plusSeconds(2), releasedOnB);
        assertTrue(waited.compareTo(GRACE.minusMillis(100)) >= 0 && waited.compareTo(GRACE.plus(MARGIN)) <= 0,
                "grace after node b's release: " + waited);
        assertEquals(1, reportJobs(study), "both nodes' timers fired; one report");
    }

    @Test
    void aStudyWhoseLastImageIsFinishedAfterItsGraceIsQueuedAtOnce() throws Exception {
        Node a = node("node-a", GRACE);
        String study = Uids.newUid();
        Association sent = a.open();
        sent.store(image(study));
        sent.store(image(study));
        Instant released = sent.release();
        sleepUntil(released.plus(GRACE).plusMillis(300));
        assertEquals(0, reportJobs(study), "its images are still being prepared");

        Instant finished = Instant.now();
        a.finishImages();
        Duration waited = awaitReport(study, Duration.ofSeconds(3), finished);
        assertTrue(waited.compareTo(MARGIN) <= 0, "queued as soon as its last image was finished: " + waited);
    }

    @Test
    void twoNodesRacingForTheSameStudiesQueueOneReportEach() throws Exception {
        Node a = node("node-a", Duration.ZERO);
        Node b = node("node-b", Duration.ZERO);
        a.timers.close(); // only the racing checks below act
        b.timers.close();
        List<String> studies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String study = Uids.newUid();
            Association sent = (i % 2 == 0 ? a : b).open();
            sent.store(image(study));
            sent.release();
            studies.add(study);
        }
        a.finishImages();
        b.finishImages();

        // Each node checks every study over and over from two threads while a report worker reports each study as soon as
        // it is queued: a completer that read the study before the report was committed must not queue a second one.
        AtomicBoolean racing = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(5);
        List<Future<?>> running = new ArrayList<>();
        for (Node node : List.of(a, b, a, b)) {
            running.add(threads.submit(() -> {
                List<String> order = new ArrayList<>(studies);
                while (racing.get()) {
                    Collections.shuffle(order);
                    for (String study : order) node.completion.complete(study);
                }
                return null;
            }));
        }
        running.add(threads.submit(() -> {
            JobQueue queue = new JobQueue(a.database);
            while (racing.get()) {
                for (Job job : queue.claim(JobKind.REPORT, "reporter", 8, Duration.ofSeconds(30))) {
                    queue.record(job, "reporter", Outcome.done(c -> markReported(c, job.subject())), RetryPolicy.DEFAULT);
                }
            }
            return null;
        }));
        Thread.sleep(4000);
        racing.set(false);
        for (Future<?> f : running) f.get(30, TimeUnit.SECONDS);
        threads.shutdown();

        for (String study : studies) assertEquals(1, reportJobs(study), "report jobs of " + study);
        assertEquals(studies.size(), count("select count(*) from job where kind = 'report' and state = 'done'"));
    }

    @Test
    void aTimerLostWithItsNodeIsCoveredByTheSweep() throws Exception {
        Node a = node("node-a", GRACE);
        Node b = node("node-b", GRACE);
        String study = Uids.newUid();
        Association sent = a.open();
        sent.store(image(study));
        a.finishImages();
        Instant released = sent.release();
        assertEquals(1, a.timers.pending());
        a.timers.close(); // node a dies with the study's timer pending

        sleepUntil(released.plus(GRACE).plus(MARGIN));
        assertEquals(0, reportJobs(study), "no timer left to complete it");
        assertEquals(1, b.completion.sweep(), "the sweep of a live node completes it");
        assertEquals(1, reportJobs(study));
        assertEquals(0, b.completion.sweep(), "and only once");
    }

    // ---------------------------------------------------------------- fixtures

    /** One router node as far as completion goes: its own pool, spool, ingest handler and timers, on the shared database. */
    private Node node(String name, Duration grace) throws Exception {
        Database database = new Database(postgres.settings());
        closing.add(database);
        ReportSettings settings = new ReportSettings("cxr", "1", false, "default", 0.5, grace, Duration.ofSeconds(30), List.of(), 5, name);
        StudyCompletion completion = new StudyCompletion(database, settings);
        CompletionTimers timers = new CompletionTimers(completion);
        closing.add(timers);
        database.finishedJobs().subscribe(timers::jobsFinished);
        IngestSettings ingest = new IngestSettings(work.resolve(name), 0, name);
        return new Node(name, database, ingest, completion, timers, new ArmingStoreHandler(new DurableStoreHandler(database, ingest), timers));
    }

    private record Node(String name, Database database, IngestSettings ingest, StudyCompletion completion, CompletionTimers timers,
                        ArmingStoreHandler handler) {
        Association open() { return new Association(this, new AssociationInfo("test-" + UUID.randomUUID(), "MODALITY", "TRIAGE", "127.0.0.1", Instant.now())); }

        /** The prepare stage's outcome for every image of this node, recorded as a worker records it. */
        void finishImages() throws SQLException {
            JobQueue queue = new JobQueue(database);
            for (Job job : queue.claim(JobKind.PREPARE, name + "-prepare", name, 100, Duration.ofSeconds(30))) {
                queue.record(job, name + "-prepare", Outcome.done(), RetryPolicy.DEFAULT);
            }
        }
    }

    private static final class Association {
        final Node node;
        final AssociationInfo info;
        int stored;

        Association(Node node, AssociationInfo info) {
            this.node = node;
            this.info = info;
        }

        void store(Path file) throws Exception {
            Files.createDirectories(node.ingest().incoming());
            Path received = Files.copy(file, node.ingest().incoming().resolve("rx-" + UUID.randomUUID() + ".part"));
            DimseStatus status = node.handler().onStore(new ReceivedInstance(info, Part10.readMeta(received).transferSyntaxUid(), Priority.MEDIUM,
                    received, Files.size(received), InstanceFiles.readHeader(received)));
            assertTrue(status.isSuccess(), status.toString());
            stored++;
        }

        Instant release() {
            node.handler().onAssociationClosed(info, true, stored);
            return Instant.now();
        }
    }

    private Path image(String study) throws Exception {
        Path file = work.resolve("images").resolve(UUID.randomUUID() + ".dcm");
        Files.createDirectories(file.getParent());
        SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 64, 64, seed, String.format("SYN%06d", seed++), study, Uids.newUid(), Uids.newUid()), file);
        return file;
    }

    private static void markReported(Connection c, String study) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("update study set reported_instance_count = instance_count where study_instance_uid = ?")) {
            s.setString(1, study);
            s.executeUpdate();
        }
    }

    /** Waits for the study's report job; returns how long after {@code from} it was seen. */
    private Duration awaitReport(String study, Duration atMost, Instant from) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (reportJobs(study) > 0) return Duration.between(from, Instant.now());
            Thread.sleep(10);
        }
        throw new AssertionError("no report job for " + study + " within " + atMost);
    }

    private int reportJobs(String study) throws SQLException {
        try (Connection c = postgres.database().connection();
             PreparedStatement s = c.prepareStatement("select count(*) from job where kind = 'report' and subject = ?")) {
            s.setString(1, study);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = postgres.database().connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) Thread.sleep(millis);
    }
}
