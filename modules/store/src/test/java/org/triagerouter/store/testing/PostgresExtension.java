package org.triagerouter.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;

/**
 * Real PostgreSQL for a test class: one server per test JVM (a module's surefire run), started on first use and
 * stopped when JUnit finishes; a fresh database migrated with Flyway per class, or per test with {@link #perTest()}.
 * The database and its pool are made on first use and closed after the class (or the test).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension postgres = PostgresExtension.perClass();
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    private final boolean freshPerTest;
    private PostgresServer shared;
    private PostgresServer privateServer;
    private Database classDatabase;
    private Database testDatabase;

    private PostgresExtension(boolean freshPerTest) { this.freshPerTest = freshPerTest; }

    /** One database for every test of the class. */
    public static PostgresExtension perClass() { return new PostgresExtension(false); }

    /** A new database for each test, for classes whose tests count rows or depend on ids starting at 1. */
    public static PostgresExtension perTest() { return new PostgresExtension(true); }

    /**
     * The migrated database of this class, or of this test with {@link #perTest()} or {@link PrivatePostgres} (then ask for it
     * in the test or a {@code @BeforeEach}: one made in {@code @BeforeAll} would be closed after the first test).
     */
    public Database database() {
        if (freshPerTest || privateServer != null) {
            if (testDatabase == null) testDatabase = migrated(server());
            return testDatabase;
        }
        if (classDatabase == null) classDatabase = migrated(server());
        return classDatabase;
    }

    /** Where {@link #database()} is, for code that opens its own connections (another process, a LISTEN). */
    public DatabaseSettings settings() { return database().settings(); }

    /** Another new database, not migrated: for a router process or {@code db migrate} that applies the schema itself. */
    public DatabaseSettings emptyDatabase() {
        try {
            return server().createDatabase();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a database: " + e.getMessage(), e);
        }
    }

    /** The server of a {@link PrivatePostgres} test, to stop and start. */
    public PostgresServer privateServer() {
        if (privateServer == null) throw new IllegalStateException("only a @PrivatePostgres test has a server of its own to stop");
        return privateServer;
    }

    private PostgresServer server() {
        if (privateServer != null) return privateServer;
        if (shared == null) throw new IllegalStateException("register PostgresExtension with @RegisterExtension on a static field");
        return shared;
    }

    private static Database migrated(PostgresServer server) {
        Database database;
        try {
            database = new Database(server.createDatabase());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a database: " + e.getMessage(), e);
        }
        try {
            if (database.migrate() < 1) throw new IllegalStateException("no migration applied to a new database: none found on the class path?");
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        shared = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SharedServer.class, k -> SharedServer.start(), SharedServer.class)
                .server();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (context.getRequiredTestMethod().isAnnotationPresent(PrivatePostgres.class)) privateServer = PostgresServer.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (testDatabase != null) testDatabase.close();
        } finally {
            testDatabase = null;
            if (privateServer != null) {
                PostgresServer stopping = privateServer;
                privateServer = null;
                stopping.close();
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (classDatabase != null) classDatabase.close();
        classDatabase = null;
    }

    /** The server every class of the run shares; JUnit closes it with the root context, after the last class. */
    private record SharedServer(PostgresServer server) implements ExtensionContext.Store.CloseableResource {
        static SharedServer start() {
            try {
                return new SharedServer(PostgresServer.start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PostgreSQL", e);
            }
        }

        @Override
        public void close() throws Exception { server.close(); }
    }
}
