package org.triagerouter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps this node's row in {@code node} fresh, so every node's dashboard can list the cluster and spot a silent one. */
public final class NodeHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
    /** How often the row is touched; the dashboard calls a node stale after three missed beats. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    public record NodeInfo(String name, String version, String aeTitle, int dicomPort, int httpPort, String model, String provider) {}

    private final Database database;
    private final NodeInfo info;
    private final Instant startedAt = Instant.now();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("node-heartbeat").daemon(true).factory());

    public NodeHeartbeat(Database database, NodeInfo info) {
        this.database = database;
        this.info = info;
    }

    public NodeHeartbeat start() {
        timer.scheduleWithFixedDelay(this::beatQuietly, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void beat() throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement upsert = c.prepareStatement("""
                     insert into node (name, started_at, heartbeat_at, version, ae_title, dicom_port, http_port, model, provider)
                     values (?, ?, now(), ?, ?, ?, ?, ?, ?)
                     on conflict (name) do update set started_at = excluded.started_at, heartbeat_at = now(), version = excluded.version,
                         ae_title = excluded.ae_title, dicom_port = excluded.dicom_port, http_port = excluded.http_port,
                         model = excluded.model, provider = excluded.provider, lost_at = null""")) {
            upsert.setString(1, info.name());
            upsert.setObject(2, java.time.OffsetDateTime.ofInstant(startedAt, java.time.ZoneOffset.UTC));
            upsert.setString(3, info.version());
            upsert.setString(4, info.aeTitle());
            upsert.setInt(5, info.dicomPort());
            upsert.setInt(6, info.httpPort());
            upsert.setString(7, info.model());
            upsert.setString(8, info.provider());
            upsert.executeUpdate();
        }
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (SQLException | RuntimeException e) {
            log.debug("heartbeat not written: {}", e.getMessage()); // readiness reports the database; no log flood here
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
