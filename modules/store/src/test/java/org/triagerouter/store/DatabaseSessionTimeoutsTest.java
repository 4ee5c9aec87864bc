package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

/** Every pooled session carries server-side timeouts, so a frozen or unplugged router cannot hold locks or statements for hours. */
class DatabaseSessionTimeoutsTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @Test
    void aSessionIdleInItsTransactionIsEndedAndAnotherGetsItsLocks() throws Exception {
        DatabaseSettings base = postgres.emptyDatabase();
        DatabaseSettings settings = new DatabaseSettings(base.url(), base.user(), base.password(), 4, Duration.ofSeconds(2),
                Duration.ofSeconds(2), DatabaseSettings.DEFAULT_STATEMENT_TIMEOUT, "node-a");
        try (Database database = new Database(settings)) {
            database.migrate();
            execute(database, "create table lock_probe (id integer primary key); insert into lock_probe values (1)");
            Connection frozen = database.connection();
            try {
                // What an ingest transaction holds, left open as by a router that was stopped (SIGSTOP) mid-transaction.
                frozen.setAutoCommit(false);
                try (Statement s = frozen.createStatement()) {
                    s.execute("select pg_advisory_xact_lock(42)");
                    s.execute("select * from lock_probe where id = 1 for update");
                }
                long start = System.nanoTime();
                try (Connection other = database.connection(); Statement s = other.createStatement()) {
                    s.execute("select pg_advisory_lock(42)");
                    s.execute("select * from lock_probe where id = 1 for update");
                    s.execute("select pg_advisory_unlock(42)");
                }
                long waited = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waited >= 1_500 && waited < 10_000, "locks released by the idle timeout, after " + waited + " ms");
                SQLException ended = assertThrows(SQLException.class, () -> {
                    try (Statement s = frozen.createStatement()) {
                        s.execute("select 1");
                    }
                });
                assertTrue(ended.getMessage().contains("idle-in-transaction timeout") || ended.getMessage().contains("I/O error"), ended.getMessage());
            } finally {
                try {
                    frozen.close();
                } catch (SQLException alreadyGone) {
                    // The server ended it.
                }
            }
        }
    }

    @Test
    void sessionsCarryTheTimeoutsAndTheNodeName() throws Exception {
        DatabaseSettings settings = postgres.emptyDatabase().forNode("node-b");
        try (Database database = new Database(settings); Connection c = database.connection(); Statement s = c.createStatement()) {
            assertEquals("15s", single(s, "show idle_in_transaction_session_timeout"));
            assertEquals("25s", single(s, "show statement_timeout"));
            assertEquals("triage-router node-b", single(s, "show application_name"));
            assertEquals(30, settings.socketTimeoutSeconds(), "the client waits longer than the server lets a statement run");
        }
    }

    @Test
    void aStatementRunningTooLongIsCancelledByTheServerAndTheConnectionLives() throws Exception {
        DatabaseSettings base = postgres.emptyDatabase();
        DatabaseSettings settings = new DatabaseSettings(base.url(), base.user(), base.password(), 2, Duration.ofSeconds(2),
                Duration.ofSeconds(15), Duration.ofSeconds(1), null);
        try (Database database = new Database(settings); Connection c = database.connection(); Statement s = c.createStatement()) {
            assertEquals(6, settings.socketTimeoutSeconds());
            SQLException cancelled = assertThrows(SQLException.class, () -> s.execute("select pg_sleep(3)"));
            assertEquals("57014", cancelled.getSQLState(), cancelled.getMessage()); // query_canceled, by statement_timeout
            assertEquals("1", single(s, "select 1"));
            assertEquals("triage-router", single(s, "show application_name"));
        }
    }

    private static void execute(Database database, String sql) throws SQLException {
        try (Connection c = database.connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
