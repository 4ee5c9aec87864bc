package org.triagerouter.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The database's size ({@code pg_database_size}) measured every few seconds against an optional ceiling:
 * above it, ingest refuses new instances (0xA700, before their data set is received) and readiness says why,
 * before PostgreSQL's disk fills. On /metrics as {@code triage_database_size_bytes} and {@code triage_database_ceiling_bytes}.
 */
public final class DatabaseSize implements AutoCloseable {
    public static final Duration REFRESH = Duration.ofSeconds(5);

    private final Database database;
    private final long ceilingBytes;
    private volatile long bytes = -1;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("database-size").daemon(true).factory());
    private final List<Meter> gauges;

    /** @param ceilingBytes 0: no ceiling (the size is still measured and shown) */
    public DatabaseSize(Database database, long ceilingBytes) {
        this.database = database;
        this.ceilingBytes = ceilingBytes;
        this.gauges = List.of(
                Gauge.builder("triage.database.size", this, d -> d.bytes < 0 ? Double.NaN : d.bytes).baseUnit("bytes")
                        .description("pg_database_size of the router's database").register(Metrics.globalRegistry),
                Gauge.builder("triage.database.ceiling", this, d -> d.ceilingBytes == 0 ? Double.NaN : d.ceilingBytes).baseUnit("bytes")
                        .description("database.maxSizeGigabytes: above it ingest answers 0xA700").register(Metrics.globalRegistry));
    }

    public DatabaseSize start() {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Measures now; the last size otherwise comes from the timer. */
    public long refresh() throws SQLException {
        try (Connection c = database.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_database_size(current_database())")) {
            rs.next();
            bytes = rs.getLong(1);
            return bytes;
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (SQLException | RuntimeException e) {
            // Unreachable: readiness reports the database; the last size stands.
        }
    }

    /** The last measured size in bytes; -1 before the first measurement. */
    public long bytes() { return bytes; }

    public long ceilingBytes() { return ceilingBytes; }

    public boolean overCeiling() { return ceilingBytes > 0 && bytes > ceilingBytes; }

    /** For readiness and logs: null when under the ceiling. */
    public String problem() {
        if (!overCeiling()) return null;
        // PostgreSQL reuses the space retention frees inside its files but does not give it back to the disk: once over,
        // the size stays over until an administrator acts.
        return String.format(Locale.ROOT, "database above its size ceiling (%.2f GB of %.2f GB; raise database.maxSizeGigabytes, "
                + "or reclaim space with VACUUM FULL in a maintenance window)", bytes / 1073741824d, ceilingBytes / 1073741824d);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        gauges.forEach(Metrics.globalRegistry::remove);
    }
}
