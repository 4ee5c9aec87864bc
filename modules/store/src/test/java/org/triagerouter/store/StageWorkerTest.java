package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

/** The stage runtime: outcomes written with the job, handler errors retried, a stop that finishes the job in hand and hands the rest back. */
class StageWorkerTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    Database database;
    LeaseKeeper leases;

    @BeforeEach
    void freshDatabase() throws Exception {
        database = postgres.database();
        exec("create table stage_output (subject text primary key)");
        leases = new LeaseKeeper(database, Duration.ofSeconds(2));
    }

    @AfterEach
    void close() { leases.close(); }

    @Test
    void aHandlersRowsAreWrittenWithItsJobsCompletion() throws Exception {
        for (int i = 0; i < 5; i++) enqueue("s" + i);
        try (StageWorker worker = worker(job -> Outcome.done(c -> insertOutput(c, job.subject()))).start()) {
            awaitCount("select count(*) from job where state = 'done'", 5);
        }
        assertEquals(5, count("select count(*) from stage_output"));
        assertEquals(0, count("select count(*) from job where lease_owner is not null"));
    }

    @Test
    void aHandlerThatThrowsIsRetriedThenFailedWithTheReason() throws Exception {
        Transactions.run(database, c -> JobQueue.enqueue(c, JobKind.REPORT, "poison", JobKind.ROUTINE, null, 2));
        try (StageWorker worker = worker(job -> {
            throw new IllegalStateException("cannot handle " + job.subject());
        }).start()) {
            awaitCount("select count(*) from job where state = 'failed'", 1);
        }
        assertEquals(2, count("select attempts from job"));
        assertTrue(string("select last_error from job").contains("cannot handle poison"), string("select last_error from job"));
    }

    @Test
    void aStopFinishesTheJobInHandAndHandsTheRestOfTheBatchBack() throws Exception {
        for (int i = 0; i < 4; i++) enqueue("b" + i);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        StageWorker worker = new StageWorker(database, leases, new StageWorker.Settings(JobKind.REPORT, "w", null, 4, Duration.ofMillis(100),
                RetryPolicy.DEFAULT), job -> {
                    started.countDown();
                    finish.await();
                    return Outcome.done(c -> insertOutput(c, job.subject()));
                }).start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(4, count("select count(*) from job where state = 'running'"), "the whole batch is claimed");
        worker.stopClaiming();
        finish.countDown();
        assertTrue(worker.awaitStopped(Duration.ofSeconds(10)));
        worker.close();
        assertEquals(1, count("select count(*) from job where state = 'done'"), "the job in hand finished");
        assertEquals(3, count("select count(*) from job where state = 'queued' and lease_owner is null and attempts = 0"),
                "the rest handed back at once, their attempt not counted");
        assertEquals(1, count("select count(*) from stage_output"));
    }

    private StageWorker worker(StageWorker.Handler handler) {
        return new StageWorker(database, leases, new StageWorker.Settings(JobKind.REPORT, "w", null, 2, Duration.ofMillis(100),
                new RetryPolicy(Duration.ZERO, Duration.ZERO)), handler);
    }

    private static void insertOutput(Connection c, String subject) throws SQLException {
        try (var s = c.prepareStatement("insert into stage_output values (?)")) {
            s.setString(1, subject);
            s.executeUpdate();
        }
    }

    private void enqueue(String subject) throws SQLException {
        Transactions.run(database, c -> JobQueue.enqueue(c, JobKind.REPORT, subject, JobKind.ROUTINE));
    }

    private void awaitCount(String sql, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (count(sql) < expected && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(expected, count(sql), sql);
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = database.connection()) {
            c.createStatement().execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql) throws SQLException {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
