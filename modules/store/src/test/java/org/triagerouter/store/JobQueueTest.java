package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

class JobQueueTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    Database database;
    JobQueue queue;

    @BeforeEach
    void freshDatabase() {
        database = postgres.database();
        queue = new JobQueue(database);
    }

    @Test
    void enqueueIsIdempotentWhileAJobIsLive() throws Exception {
        assertTrue(enqueue("report", "1.2.3", 0));
        assertFalse(enqueue("report", "1.2.3", 0), "a queued job for the same subject already exists");
        assertTrue(enqueue("infer", "1.2.3", 0), "another kind is another job");
        List<Job> claimed = queue.claim(JobKind.REPORT, "w1", 10, Duration.ofMinutes(1));
        assertEquals(1, claimed.size());
        assertFalse(enqueue("report", "1.2.3", 0), "running counts as live");
        complete(claimed.get(0), "w1");
        assertTrue(enqueue("report", "1.2.3", 0), "after completion the subject may be queued again");
    }

    @Test
    void concurrentWorkersNeverClaimTheSameJob() throws Exception {
        for (int i = 0; i < 200; i++) enqueue("infer", "s" + i, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            String owner = "worker-" + w;
            Callable<List<Long>> worker = () -> {
                List<Long> ids = new ArrayList<>();
                List<Job> batch;
                while (!(batch = queue.claim(JobKind.INFER, owner, 7, Duration.ofMinutes(1))).isEmpty()) {
                    for (Job j : batch) {
                        ids.add(j.id());
                        complete(j, owner);
                    }
                }
                return ids;
            };
            results.add(pool.submit(worker));
        }
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (Future<List<Long>> f : results) {
            for (long id : f.get()) {
                total++;
                assertTrue(seen.add(id), "job " + id + " claimed twice");
            }
        }
        pool.shutdown();
        assertEquals(200, total);
        assertEquals(200, count("select count(*) from job where state = 'done'"));
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldOwnerCannotComplete() throws Exception {
        enqueue("infer", "1.2.3.4", 0);
        Job first = queue.claim(JobKind.INFER, "dead-node", 1, Duration.ofMillis(200)).get(0);
        assertTrue(queue.claim(JobKind.INFER, "other", 1, Duration.ofMinutes(1)).isEmpty(), "lease still held");
        Thread.sleep(400);
        List<Job> takenOver = queue.claim(JobKind.INFER, "other", 1, Duration.ofMinutes(1));
        assertEquals(1, takenOver.size());
        assertEquals(first.id(), takenOver.get(0).id());
        assertEquals(2, takenOver.get(0).attempts());
        assertFalse(complete(first, "dead-node"), "the old owner lost the job");
        assertTrue(complete(takenOver.get(0), "other"));
    }

    @Test
    void aJobPinnedToANodeIsClaimedOnlyThere() throws Exception {
        try (Connection c = database.connection()) {
            JobQueue.enqueue(c, JobKind.PREPARE, "on-a", 0, "node-a");
        }
        assertTrue(queue.claim(JobKind.PREPARE, "w-b", "node-b", 10, Duration.ofMinutes(1)).isEmpty());
        assertEquals("on-a", queue.claim(JobKind.PREPARE, "w-a", "node-a", 10, Duration.ofMinutes(1)).get(0).subject());
    }

    @Test
    void anExpiredLeaseOnItsLastAttemptIsNotClaimedAgainButFailed() throws Exception {
        Transactions.run(database, c -> JobQueue.enqueue(c, JobKind.INFER, "poison", 0, null, 1));
        assertEquals(1, queue.claim(JobKind.INFER, "crashing", 1, Duration.ofMillis(100)).size());
        Thread.sleep(250);
        assertTrue(queue.claim(JobKind.INFER, "other", 1, Duration.ofMinutes(1)).isEmpty(), "no attempts left");
        assertEquals(1, queue.recoverExpiredLeases());
        assertEquals("failed", string("select state from job"));
        assertTrue(string("select last_error from job").contains("lease of crashing expired"));
    }

    @Test
    void releasedJobsAreClaimableAtOnceWithoutCountingTheAttempt() throws Exception {
        enqueue("infer", "a", 0);
        List<Job> claimed = queue.claim(JobKind.INFER, "stopping", 1, Duration.ofMinutes(10));
        assertEquals(1, queue.release(claimed, "stopping"));
        Job again = queue.claim(JobKind.INFER, "next", 1, Duration.ofMinutes(1)).get(0);
        assertEquals(1, again.attempts());
    }

    @Test
    void retryLeavesAFailedJobAloneWhenALiveTwinExists() throws Exception {
        enqueue("dispatch", "d1", 0);
        Job job = queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).get(0);
        queue.record(job, "w", Outcome.failed("refused"), RetryPolicy.DEFAULT);
        enqueue("dispatch", "d1", 0);
        assertFalse(queue.retry(job.id()), "a queued twin is already there");
    }

    @Test
    void higherPriorityIsClaimedFirst() throws Exception {
        enqueue("report", "routine", 0);
        enqueue("report", "urgent", 10);
        assertEquals("urgent", queue.claim(JobKind.REPORT, "w", 1, Duration.ofMinutes(1)).get(0).subject());
    }

    @Test
    void failuresBackOffThenFailForGood() throws Exception {
        enqueue("dispatch", "study-1", 0);
        RetryPolicy fast = new RetryPolicy(Duration.ofMillis(300), Duration.ofSeconds(5));
        Job job = queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).get(0);
        assertEquals(JobQueue.Recorded.QUEUED, queue.record(job, "w", Outcome.retry("peer refused"), fast));
        assertTrue(queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).isEmpty(), "not due before the backoff");
        Thread.sleep(450);
        job = queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).get(0);
        assertEquals(2, job.attempts());
        assertEquals(JobQueue.Recorded.FAILED, queue.record(job, "w", Outcome.failed("0xA900 permanent"), fast));
        assertEquals("failed", string("select state from job where id = " + job.id()));
        assertEquals("0xA900 permanent", string("select last_error from job where id = " + job.id()));
        assertTrue(queue.retry(job.id()));
        assertEquals(1, queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).size());
    }

    @Test
    void attemptsAreBounded() throws Exception {
        enqueue("dispatch", "study-2", 0);
        RetryPolicy immediate = new RetryPolicy(Duration.ZERO, Duration.ZERO);
        for (int attempt = 1; attempt <= 5; attempt++) {
            Job job = queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).get(0);
            assertEquals(attempt, job.attempts());
            queue.record(job, "w", Outcome.retry("try " + attempt), immediate);
        }
        assertTrue(queue.claim(JobKind.DISPATCH, "w", 1, Duration.ofMinutes(1)).isEmpty());
        assertEquals("failed", string("select state from job where subject = 'study-2'"));
    }

    @Test
    void enqueueWakesAListeningWorker() throws Exception {
        try (JobWakeups wakeups = new JobWakeups(database.settings())) {
            assertFalse(wakeups.await("infer", Duration.ofMillis(300)), "nothing announced yet");
            Thread enqueuer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                    enqueue("infer", "wake-me", 0);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            assertTrue(wakeups.await("infer", Duration.ofSeconds(10)));
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "woken by the notification, not the timeout");
            enqueuer.join();
        }
    }

    @Test
    void aWorkerThatLostItsLeaseWritesNothing() throws Exception {
        enqueue("report", "1.2.3.5", 0);
        Job mine = queue.claim(JobKind.REPORT, "slow-node", 1, Duration.ofMillis(200)).get(0);
        Thread.sleep(400);
        Job theirs = queue.claim(JobKind.REPORT, "other", 1, Duration.ofMinutes(1)).get(0);
        Outcome.Rows marker = c -> c.createStatement().execute("create table written_by_the_stage (x int)");
        assertEquals(JobQueue.Recorded.LOST, queue.record(mine, "slow-node", Outcome.done(marker), RetryPolicy.DEFAULT));
        assertEquals(0, count("select count(*) from pg_tables where tablename = 'written_by_the_stage'"), "the stage's rows were not written");
        assertEquals(JobQueue.Recorded.DONE, queue.record(theirs, "other", Outcome.done(marker), RetryPolicy.DEFAULT));
        assertEquals(1, count("select count(*) from pg_tables where tablename = 'written_by_the_stage'"));
    }

    @Test
    void aBatchIsRecordedPerJobAndALostLeaseInItWritesNothingOfItsOwn() throws Exception {
        execute("create table stage_rows (subject text)");
        for (int i = 0; i < 4; i++) enqueue("infer", "b" + i, 0);
        List<Job> batch = new ArrayList<>(queue.claim(JobKind.INFER, "gpu-node", 4, Duration.ofMinutes(1)));
        batch.sort(java.util.Comparator.comparing(Job::subject));
        execute("update job set lease_owner = 'someone-else' where subject = 'b3'"); // taken over meanwhile
        List<Outcome> outcomes = new ArrayList<>();
        for (Job job : batch) {
            Outcome.Rows row = c -> c.createStatement().execute("insert into stage_rows values ('" + job.subject() + "')");
            outcomes.add(switch (job.subject()) {
                case "b1" -> Outcome.retry("busy", row);
                case "b2" -> Outcome.failed("cannot decode", row);
                default -> Outcome.done(row);
            });
        }
        RetryPolicy later = new RetryPolicy(Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertEquals(List.of(JobQueue.Recorded.DONE, JobQueue.Recorded.QUEUED, JobQueue.Recorded.FAILED, JobQueue.Recorded.LOST),
                queue.record(batch, "gpu-node", outcomes, later));
        assertEquals("b0 done  true|b1 queued busy false|b2 failed cannot decode true|b3 running  false", string("""
                select string_agg(subject || ' ' || state || ' ' || coalesce(last_error, '') || ' ' || (finished_at is not null), '|' order by subject)
                  from job"""));
        assertEquals(1, count("select count(*) from job where subject = 'b1' and next_attempt_at > now() + interval '4 minutes' and lease_owner is null"));
        assertEquals("b0,b1,b2", string("select string_agg(subject, ',' order by subject) from stage_rows"), "the lost job's rows are not written");
    }

    @Test
    void aStageThatFailsToWriteItsRowsLeavesTheJobAsItWas() throws Exception {
        enqueue("report", "1.2.3.6", 0);
        Job job = queue.claim(JobKind.REPORT, "w", 1, Duration.ofMinutes(1)).get(0);
        Outcome.Rows broken = c -> c.createStatement().execute("insert into no_such_table values (1)");
        assertThrows(SQLException.class, () -> queue.record(job, "w", Outcome.done(broken), RetryPolicy.DEFAULT));
        assertEquals("running w", string("select state || ' ' || lease_owner from job"), "rows and outcome commit together or not at all");
    }

    @Test
    void renewedLeasesOutliveTheirLengthAndStopWithTheirKeeper() throws Exception {
        enqueue("dispatch", "slow-pacs", 0);
        Duration lease = Duration.ofMillis(600);
        Job job;
        try (LeaseKeeper keeper = new LeaseKeeper(database, lease)) {
            job = queue.claim(JobKind.DISPATCH, "alive", 1, lease).get(0);
            keeper.hold(List.of(job), "alive");
            Thread.sleep(1500);
            assertTrue(queue.claim(JobKind.DISPATCH, "other", 1, lease).isEmpty(), "a living worker keeps its job past the lease");
        }
        Thread.sleep(900); // the keeper is gone, as with a dead node
        assertEquals(job.id(), queue.claim(JobKind.DISPATCH, "other", 1, lease).get(0).id(), "taken over within a lease");
    }

    @Test
    void aKeeperReportsALeaseTakenOverAsLost() throws Exception {
        enqueue("infer", "frozen", 0);
        try (LeaseKeeper keeper = new LeaseKeeper(database, Duration.ofMinutes(10))) {
            Job job = queue.claim(JobKind.INFER, "frozen-node", 1, Duration.ofMillis(100)).get(0);
            Thread.sleep(250);
            queue.claim(JobKind.INFER, "other", 1, Duration.ofMinutes(1));
            keeper.hold(List.of(job), "frozen-node");
            assertEquals(0, keeper.renew());
            assertTrue(keeper.lost(job));
        }
    }

    private boolean enqueue(String kind, String subject, int priority) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            boolean added = JobQueue.enqueue(c, JobKind.of(kind), subject, priority);
            c.commit();
            return added;
        }
    }

    private boolean complete(Job job, String owner) throws SQLException {
        try (Connection c = database.connection()) {
            return JobQueue.complete(c, job, owner);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = database.connection(); var statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
