package org.triagerouter.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a worker when a job of its kind is enqueued (LISTEN on {@link JobQueue#CHANNEL}). A wake-up is
 * a hint, not a guarantee: workers still poll at {@code timeout}, so a lost notification or a broken
 * listening connection only costs latency.
 */
public final class JobWakeups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWakeups.class);

    private final DatabaseSettings settings;
    private Connection listening;

    public JobWakeups(DatabaseSettings settings) { this.settings = settings; }

    /** Waits until a job of {@code kind} is announced or {@code timeout} passes; true when announced. */
    public synchronized boolean await(String kind, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = (deadline - System.nanoTime()) / 1_000_000;
            if (remaining <= 0) return false;
            try {
                PGNotification[] notifications = connection().unwrap(PGConnection.class).getNotifications((int) remaining);
                if (notifications != null) {
                    for (PGNotification n : notifications) if (kind.equals(n.getParameter())) return true;
                }
            } catch (SQLException e) {
                log.debug("job listener connection failed, polling instead: {}", e.getMessage());
                closeQuietly();
                Thread.sleep(Math.min(remaining, 1000));
            }
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }

    private Connection connection() throws SQLException {
        if (listening == null || listening.isClosed()) {
            listening = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
            try (Statement s = listening.createStatement()) {
                s.execute("listen " + JobQueue.CHANNEL);
            }
        }
        return listening;
    }

    private void closeQuietly() {
        try {
            if (listening != null) listening.close();
        } catch (SQLException ignored) {
            // Broken already.
        }
        listening = null;
    }

    @Override
    public synchronized void close() { closeQuietly(); }
}
