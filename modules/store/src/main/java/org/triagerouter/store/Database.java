package org.triagerouter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** The connection pool and the schema. One per process. */
public final class Database implements AutoCloseable {
    private final DatabaseSettings settings;
    private final HikariDataSource pool;
    private final FinishedJobs finishedJobs = new FinishedJobs();

    public Database(DatabaseSettings settings) {
        this.settings = settings;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setConnectionTimeout(Math.max(250, settings.connectionTimeout().toMillis()));
        config.setValidationTimeout(Math.max(250, Math.min(settings.connectionTimeout().toMillis(), 5000)));
        // Start even when PostgreSQL is down; callers get errors until it is back, then the pool recovers.
        config.setInitializationFailTimeout(-1);
        config.setPoolName("triage-db");
        // Pool size, waits and timeouts on /metrics (hikaricp_connections_*), through whatever registry the app installed.
        config.setMetricsTrackerFactory(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(
                io.micrometer.core.instrument.Metrics.globalRegistry));
        config.setAutoCommit(true);
        // Name, keepalive, socket and connect timeouts, and the server-side session timeouts (see DatabaseSettings):
        // a dead server must not hang a C-STORE, and a frozen router must not hold its locks for hours.
        settings.connectionProperties().forEach((name, value) -> config.addDataSourceProperty((String) name, value));
        this.pool = new HikariDataSource(config);
    }

    public DataSource dataSource() { return pool; }

    public Connection connection() throws SQLException { return pool.getConnection(); }

    public DatabaseSettings settings() { return settings; }

    /** The jobs this process's workers finish, announced after commit. */
    public FinishedJobs finishedJobs() { return finishedJobs; }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        MigrateResult result = Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        return result.migrationsExecuted;
    }

    @Override
    public void close() { pool.close(); }
}
