package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triagerouter.store.testing.PostgresServer;

class DatabaseRetentionTest {
    static PostgresServer postgres;
    Database database;

    @BeforeAll
    static void startPostgres() throws Exception { postgres = PostgresServer.start(); }

    @AfterAll
    static void stopPostgres() throws Exception { postgres.close(); }

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new Database(postgres.createDatabase());
        assertTrue(database.migrate() >= 1);
    }

    @AfterEach
    void close() { database.close(); }

    /** The soak benchmark's finding: one batch of 50 studies a firing (every minute) falls behind 2 studies/s for ever. */
    @Test
    void onePassPrunesEveryExpiredStudyNotJustOneBatch() throws Exception {
        int expired = DatabaseRetention.STUDY_BATCH * 3 + 7;
        try (Connection c = database.connection()) {
            c.createStatement().execute("insert into study (study_instance_uid, last_received_at) select '1.2.826.0.1.' || g, now() - interval '2 days' "
                    + "from generate_series(1, " + expired + ") g");
            c.createStatement().execute("insert into study (study_instance_uid) values ('1.2.826.0.2.1')"); // recent: stays
        }
        DatabaseRetention.Pruned pruned = new DatabaseRetention(database,
                new DatabaseRetention.Periods(Duration.ofDays(7), Duration.ofDays(14), Duration.ofDays(1))).prune(Duration.ofSeconds(20));
        assertEquals(expired, pruned.studies());
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery("select study_instance_uid from study")) {
            assertTrue(rs.next());
            assertEquals("1.2.826.0.2.1", rs.getString(1));
        }
    }
}
