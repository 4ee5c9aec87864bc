package org.triagerouter.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a worker when a job of its kind is enqueued (LISTEN on {@link JobQueue#CHANNEL}). A wake-up is
 * a hint, not a guarantee: workers still poll at {@code timeout}, so a lost notification only costs
 * latency. A listening connection that broke, or went silent without breaking (a failover, a partition:
 * no error ever reaches a connection that only waits), is found by a probe after {@link #PROBE_INTERVAL}
 * of waiting and opened again.
 */
public final class JobWakeups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWakeups.class);
    /** Waiting this long without hearing from the server triggers a probe; with the probe's timeout, a dead connection is found within 15 s. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);
    /** A probe unanswered for this long declares the connection dead. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** Pause between attempts to open the connection again. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final DatabaseSettings settings;
    private final Duration probeInterval;
    private final Duration probeTimeout;
    private Connection listening;
    /** When the server last proved alive on {@link #listening} (opened, answered a probe, delivered a notification). */
    private long heardAt;
    /** Since when wake-ups are lost (a connection broke or could not be opened); 0 while listening. */
    private long lostAt;
    private boolean everListened;

    public JobWakeups(DatabaseSettings settings) { this(settings, PROBE_INTERVAL, PROBE_TIMEOUT); }

    JobWakeups(DatabaseSettings settings, Duration probeInterval, Duration probeTimeout) {
        this.settings = settings;
        this.probeInterval = probeInterval;
        this.probeTimeout = probeTimeout;
    }

    /** Waits until a job of {@code kind} is announced or {@code timeout} passes; true when announced. */
    public synchronized boolean await(String kind, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = (deadline - System.nanoTime()) / 1_000_000;
            if (remaining <= 0) return false;
            try {
                Connection c = connection();
                long untilProbe = (heardAt + probeInterval.toNanos() - System.nanoTime()) / 1_000_000;
                if (untilProbe <= 0) {
                    probe(c);
                } else {
                    // Bounded wait: pgjdbc returns after this many milliseconds even when nothing arrived (0 would block for ever).
                    PGNotification[] notifications = c.unwrap(PGConnection.class).getNotifications((int) Math.max(1, Math.min(remaining, untilProbe)));
                    if (notifications != null && notifications.length > 0) {
                        heardAt = System.nanoTime();
                        for (PGNotification n : notifications) if (kind.equals(n.getParameter())) return true;
                    }
                }
            } catch (SQLException e) {
                lost(e.getMessage());
                Thread.sleep(Math.min(remaining, RETRY.toMillis()));
            }
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }

    /** A round trip bounded by the probe timeout (pgjdbc lowers the socket timeout for it); notifications met on the way are kept. */
    private void probe(Connection c) throws SQLException {
        int seconds = (int) Math.max(1, probeTimeout.toSeconds());
        if (!c.isValid(seconds)) throw new SQLException("no answer to a probe within " + seconds + " s");
        heardAt = System.nanoTime();
    }

    private Connection connection() throws SQLException {
        if (listening == null) {
            Properties properties = settings.connectionProperties();
            properties.setProperty("user", settings.user());
            properties.setProperty("password", settings.password());
            Connection c = DriverManager.getConnection(settings.url(), properties);
            try (Statement s = c.createStatement()) {
                s.execute("listen " + JobQueue.CHANNEL);
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
            listening = c;
            heardAt = System.nanoTime();
            if (lostAt != 0) {
                long millis = (System.nanoTime() - lostAt) / 1_000_000;
                if (everListened) reconnects().increment();
                log.warn("job wake-ups back after {} ms: listening again", millis);
                lostAt = 0;
            }
            everListened = true;
        }
        return listening;
    }

    /** Drops a broken connection; the first failure of an outage is logged, the retries are not. */
    private void lost(String reason) {
        closeQuietly(listening);
        listening = null;
        if (lostAt == 0) {
            lostAt = System.nanoTime();
            log.warn("job wake-ups lost: {}; reconnecting (workers poll meanwhile)", reason);
        } else {
            log.debug("job wake-ups still lost: {}", reason);
        }
    }

    private static Counter reconnects() {
        return Counter.builder("triage.listen.reconnects")
                .description("Listening connections (job wake-ups) opened again after they broke or went silent")
                .register(Metrics.globalRegistry);
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c != null) c.close();
        } catch (SQLException ignored) {
            // Broken already.
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(listening);
        listening = null;
    }
}
