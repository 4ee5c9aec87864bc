package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triagerouter.store.testing.FreezableProxy;
import org.triagerouter.store.testing.PostgresServer;

/** The listening connection behind job wake-ups survives what breaks it: a server restart, a killed backend, a silent network. */
class JobWakeupsTest {
    /** Its own server, not the run's shared one: a test here restarts it. */
    static PostgresServer postgres;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Short probes, so a test waits seconds where a router waits up to 15 s. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1), PROBE_TIMEOUT = Duration.ofSeconds(1);
    Database database;
    int subjects;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
        Metrics.addRegistry(registry);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        Metrics.removeRegistry(registry);
        postgres.close();
    }

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new Database(postgres.createDatabase());
        database.migrate();
    }

    @AfterEach
    void closeDatabase() { database.close(); }

    @Test
    void wakeupsResumeAfterThePostgresServerRestarts() throws Exception {
        try (JobWakeups wakeups = new JobWakeups(database.settings(), PROBE_INTERVAL, PROBE_TIMEOUT)) {
            assertWokenByEnqueue(wakeups);
            double before = reconnects();
            postgres.stopServer();
            postgres.startServer();
            awaitReconnect(wakeups, before, Duration.ofSeconds(20));
            assertWokenByEnqueue(wakeups);
        }
    }

    @Test
    void aListeningBackendKilledByTheServerIsReopened() throws Exception {
        try (JobWakeups wakeups = new JobWakeups(database.settings().forNode("listener"), PROBE_INTERVAL, PROBE_TIMEOUT)) {
            assertWokenByEnqueue(wakeups);
            double before = reconnects();
            try (Connection c = database.connection();
                 PreparedStatement kill = c.prepareStatement("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = ?")) {
                kill.setString(1, "triage-router listener");
                try (var rs = kill.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getInt(1) == 1, "one listening backend terminated");
                }
            }
            awaitReconnect(wakeups, before, Duration.ofSeconds(20));
            assertWokenByEnqueue(wakeups);
        }
    }

    @Test
    void aListeningConnectionThatWentSilentIsFoundByTheProbeAndReopened() throws Exception {
        DatabaseSettings direct = database.settings();
        try (FreezableProxy proxy = new FreezableProxy(postgres.port())) {
            DatabaseSettings throughProxy = new DatabaseSettings(direct.url().replace(":" + postgres.port() + "/", ":" + proxy.port() + "/"),
                    direct.user(), direct.password(), 1, direct.connectionTimeout());
            try (JobWakeups wakeups = new JobWakeups(throughProxy, PROBE_INTERVAL, PROBE_TIMEOUT)) {
                assertWokenByEnqueue(wakeups);
                double before = reconnects();
                proxy.freezeOpenConnections(); // no error will ever reach the listening connection
                long frozenAt = System.nanoTime();
                enqueue("infer"); // its notification is lost with the frozen connection
                awaitReconnect(wakeups, before, Duration.ofSeconds(20));
                long seconds = (System.nanoTime() - frozenAt) / 1_000_000_000L;
                assertTrue(seconds <= PROBE_INTERVAL.plus(PROBE_TIMEOUT).toSeconds() + 3, "silence noticed after " + seconds + " s");
                assertWokenByEnqueue(wakeups);
            }
        }
    }

    private void assertWokenByEnqueue(JobWakeups wakeups) throws Exception {
        assertFalse(wakeups.await("infer", Duration.ofMillis(200)), "nothing announced yet");
        Thread enqueuer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
                enqueue("infer");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long start = System.nanoTime();
        assertTrue(wakeups.await("infer", Duration.ofSeconds(10)), "woken");
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "woken by the notification, not the timeout");
        enqueuer.join();
    }

    /** Waits as a worker does (short awaits, one after another) until the wake-ups connection was opened again. */
    private static void awaitReconnect(JobWakeups wakeups, double before, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (reconnects() <= before && System.nanoTime() < deadline) wakeups.await("infer", Duration.ofMillis(500));
        assertTrue(reconnects() > before, "triage_listen_reconnects_total went up");
    }

    private static double reconnects() {
        Counter counter = registry.find("triage.listen.reconnects").counter();
        return counter == null ? 0 : counter.count();
    }

    private void enqueue(String kind) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            JobQueue.enqueue(c, JobKind.of(kind), "subject-" + (++subjects), JobKind.ROUTINE);
            c.commit();
        }
    }
}
