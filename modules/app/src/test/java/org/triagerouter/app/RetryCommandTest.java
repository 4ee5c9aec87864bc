package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresServer;

/** `triage-router retry`: failed deliveries go back to the queue with fresh attempts; others are left alone. */
class RetryCommandTest {
    static PostgresServer postgres;

    @BeforeAll
    static void start() throws Exception { postgres = PostgresServer.start(); }

    @AfterAll
    static void stop() throws Exception { postgres.close(); }

    @Test
    void failedDeliveriesAreQueuedAgain() throws Exception {
        try (Database database = new Database(postgres.createDatabase())) {
            database.migrate();
            try (Connection c = database.connection()) {
                exec(c, "insert into study (id, study_instance_uid) values (1, '2.25.1')");
                exec(c, "insert into study_result (id, study_id, model_id, model_version, revision, status, image_count) "
                        + "values (1, 1, 'm', '1', 1, 'REPORTED', 1)");
                exec(c, "insert into delivery (id, study_result_id, destination, state, attempts) values (1, 1, 'pacs', 'failed', 10), "
                        + "(2, 1, 'archive', 'failed', 3), (3, 1, 'other', 'delivered', 1)");
                exec(c, "insert into job (kind, subject, state, attempts) values ('dispatch', '1', 'failed', 10), "
                        + "('dispatch', '2', 'failed', 3), ('dispatch', '3', 'done', 1)");
            }
            assertEquals(1, new org.triagerouter.store.FailedWork(database).retryDeliveries(2));
            assertEquals("pending", string(database, "select state from delivery where id = 2"));
            assertEquals("queued 0", string(database, "select state || ' ' || attempts from job where subject = '2'"));
            assertEquals("failed", string(database, "select state from delivery where id = 1"), "only the one asked for");
            assertEquals(1, new org.triagerouter.store.FailedWork(database).retryDeliveries(), "then every failed one");
            assertEquals("delivered", string(database, "select state from delivery where id = 3"));
        }
    }

    private static void exec(Connection c, String sql) throws Exception {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String string(Database database, String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
