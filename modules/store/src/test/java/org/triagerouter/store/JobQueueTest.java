package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triagerouter.store.testing.PostgresServer;

class JobQueueTest {
    static PostgresServer postgres;
    Database database;
    JobQueue queue;

    @BeforeAll
    static void startPostgres() throws Exception { postgres = PostgresServer.start(); }

    @AfterAll
    static void stopPostgres() throws Exception { postgres.close(); }

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new Database(postgres.createDatabase());
        assertTrue(database.migrate() >= 1);
        queue = new JobQueue(database);
    }

    @AfterEach
    void close() { database.close(); }

    @Test
    void enqueueIsIdempotentWhileAJobIsLive() throws Exception {
        assertTrue(enqueue("prepare", "1.2.3", 0));
        assertFalse(enqueue("prepare", "1.2.3", 0), "a queued job for the same subject already exists");
        assertTrue(enqueue("infer", "1.2.3", 0), "another kind is another job");
        List<Job> claimed = queue.claim("prepare", "w1", 10, Duration.ofMinutes(1));
        assertEquals(1, claimed.size());
        assertFalse(enqueue("prepare", "1.2.3", 0), "running counts as live");
        complete(claimed.get(0), "w1");
        assertTrue(enqueue("prepare", "1.2.3", 0), "after completion the subject may be queued again");
    }

    @Test
    void concurrentWorkersNeverClaimTheSameJob() throws Exception {
        for (int i = 0; i < 200; i++) enqueue("prepare", "s" + i, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            String owner = "worker-" + w;
            Callable<List<Long>> worker = () -> {
                List<Long> ids = new ArrayList<>();
                List<Job> batch;
                while (!(batch = queue.claim("prepare", owner, 7, Duration.ofMinutes(1))).isEmpty()) {
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
        Job first = queue.claim("infer", "dead-node", 1, Duration.ofMillis(200)).get(0);
        assertTrue(queue.claim("infer", "other", 1, Duration.ofMinutes(1)).isEmpty(), "lease still held");
        Thread.sleep(400);
        List<Job> takenOver = queue.claim("infer", "other", 1, Duration.ofMinutes(1));
        assertEquals(1, takenOver.size());
        assertEquals(first.id(), takenOver.get(0).id());
        assertEquals(2, takenOver.get(0).attempts());
        assertFalse(queue.extendLease(first.id(), "dead-node", Duration.ofMinutes(1)));
        assertFalse(complete(first, "dead-node"), "the old owner lost the job");
        assertTrue(complete(takenOver.get(0), "other"));
    }

    @Test
    void aJobPinnedToANodeIsClaimedOnlyThere() throws Exception {
        try (Connection c = database.connection()) {
            JobQueue.enqueue(c, "prepare", "on-a", 0, "node-a");
        }
        assertTrue(queue.claim("prepare", "w-b", "node-b", 10, Duration.ofMinutes(1)).isEmpty());
        assertEquals("on-a", queue.claim("prepare", "w-a", "node-a", 10, Duration.ofMinutes(1)).get(0).subject());
    }

    @Test
    void anExpiredLeaseOnItsLastAttemptIsNotClaimedAgainButFailed() throws Exception {
        enqueue("infer", "poison", 0);
        try (Connection c = database.connection()) {
            c.createStatement().execute("update job set max_attempts = 1");
        }
        assertEquals(1, queue.claim("infer", "crashing", 1, Duration.ofMillis(100)).size());
        Thread.sleep(250);
        assertTrue(queue.claim("infer", "other", 1, Duration.ofMinutes(1)).isEmpty(), "no attempts left");
        assertEquals(1, queue.recoverExpiredLeases());
        assertEquals("failed", string("select state from job"));
        assertTrue(string("select last_error from job").contains("lease of crashing expired"));
    }

    @Test
    void releasedJobsAreClaimableAtOnceWithoutCountingTheAttempt() throws Exception {
        enqueue("infer", "a", 0);
        List<Job> claimed = queue.claim("infer", "stopping", 1, Duration.ofMinutes(10));
        assertEquals(1, queue.release(claimed, "stopping"));
        Job again = queue.claim("infer", "next", 1, Duration.ofMinutes(1)).get(0);
        assertEquals(1, again.attempts());
    }

    @Test
    void retryLeavesAFailedJobAloneWhenALiveTwinExists() throws Exception {
        enqueue("dispatch", "d1", 0);
        Job job = queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).get(0);
        queue.fail(job.id(), "w", "refused", true, RetryPolicy.DEFAULT);
        enqueue("dispatch", "d1", 0);
        assertFalse(queue.retry(job.id()), "a queued twin is already there");
    }

    @Test
    void higherPriorityIsClaimedFirst() throws Exception {
        enqueue("report", "routine", 0);
        enqueue("report", "urgent", 10);
        assertEquals("urgent", queue.claim("report", "w", 1, Duration.ofMinutes(1)).get(0).subject());
    }

    @Test
    void failuresBackOffThenFailForGood() throws Exception {
        enqueue("dispatch", "study-1", 0);
        RetryPolicy fast = new RetryPolicy(Duration.ofMillis(300), Duration.ofSeconds(5));
        Job job = queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).get(0);
        assertTrue(queue.fail(job.id(), "w", "peer refused", false, fast));
        assertTrue(queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).isEmpty(), "not due before the backoff");
        Thread.sleep(450);
        job = queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).get(0);
        assertEquals(2, job.attempts());
        assertTrue(queue.fail(job.id(), "w", "0xA900 permanent", true, fast));
        assertEquals("failed", string("select state from job where id = " + job.id()));
        assertEquals("0xA900 permanent", string("select last_error from job where id = " + job.id()));
        assertTrue(queue.retry(job.id()));
        assertEquals(1, queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).size());
    }

    @Test
    void attemptsAreBounded() throws Exception {
        enqueue("dispatch", "study-2", 0);
        RetryPolicy immediate = new RetryPolicy(Duration.ZERO, Duration.ZERO);
        for (int attempt = 1; attempt <= 5; attempt++) {
            Job job = queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).get(0);
            assertEquals(attempt, job.attempts());
            queue.fail(job.id(), "w", "try " + attempt, false, immediate);
        }
        assertTrue(queue.claim("dispatch", "w", 1, Duration.ofMinutes(1)).isEmpty());
        assertEquals("failed", string("select state from job where subject = 'study-2'"));
    }

    @Test
    void enqueueWakesAListeningWorker() throws Exception {
        try (JobWakeups wakeups = new JobWakeups(database.settings())) {
            assertFalse(wakeups.await("prepare", Duration.ofMillis(300)), "nothing announced yet");
            Thread enqueuer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                    enqueue("prepare", "wake-me", 0);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            assertTrue(wakeups.await("prepare", Duration.ofSeconds(10)));
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "woken by the notification, not the timeout");
            enqueuer.join();
        }
    }

    private boolean enqueue(String kind, String subject, int priority) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            boolean added = JobQueue.enqueue(c, kind, subject, priority);
            c.commit();
            return added;
        }
    }

    private boolean complete(Job job, String owner) throws SQLException {
        try (Connection c = database.connection()) {
            return JobQueue.complete(c, job.id(), owner);
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
