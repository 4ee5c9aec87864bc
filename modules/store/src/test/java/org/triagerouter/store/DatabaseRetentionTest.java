package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * What the database keeps and for how long. The store module has no stage code to seed with (the stages depend
 * on it, not the other way round), so rows are written here as the stages write them.
 */
class DatabaseRetentionTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();
    Database database;

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new Database(postgres.emptyDatabase());
        database.migrate();
    }

    @AfterEach
    void close() { database.close(); }

    @Test
    void finishedJobsGoAfterTheirPeriodInBatchesFailedOnesOnlyWithTheHistory() throws Exception {
        exec("insert into job (kind, subject, state, finished_at) select 'infer', 'old-' || g, 'done', now() - interval '20 days' "
                + "from generate_series(1, 1234) g");
        exec("insert into job (kind, subject, state, finished_at) values ('infer', 'recent', 'done', now() - interval '1 day')");
        exec("insert into job (kind, subject, state, finished_at, last_error) values ('prepare', 'broken', 'failed', now() - interval '20 days', 'x')");
        exec("insert into job (kind, subject, state) values ('infer', 'waiting', 'queued')");
        DatabaseRetention.Pruned pruned = retention(7, 14, 400).prune(Duration.ofSeconds(30));
        assertEquals(1234, pruned.jobs(), "more than one batch of " + DatabaseRetention.BATCH);
        assertEquals("broken recent waiting", string("select string_agg(subject, ' ' order by subject) from job"));
        assertEquals(0, retention(7, 14, 400).prune(Duration.ofSeconds(30)).total(), "nothing left to do");
        assertEquals(1, retention(7, 14, 10).prune(Duration.ofSeconds(30)).jobs(), "a failed job goes with the history period");
    }

    @Test
    void canonicalImagesGoOnceTheirStudyIsDeliveredLongEnoughAndTheHistoryOnceItsFilesAreGone() throws Exception {
        long delivered = study("delivered", "delivered", "20 days", true);
        long pending = study("pending", "pending", "20 days", true);
        long recent = study("recent", "delivered", "1 day", true);
        long filesLeft = study("files-left", "delivered", "500 days", false);
        long ancient = study("ancient", "delivered", "500 days", true);

        DatabaseRetention.Pruned pruned = retention(7, 14, 400).prune(Duration.ofSeconds(30));
        assertEquals(1, pruned.studies(), "only the old study whose files are gone");
        assertEquals(0, count("select count(*) from study where id = " + ancient));
        assertEquals(0, count("select count(*) from instance where study_id = " + ancient));
        assertEquals(0, count("select count(*) from canonical_image where instance_id in (select id from instance where study_id in ("
                + delivered + ", " + filesLeft + "))"), "delivered over 7 days ago");
        assertEquals(1, count("select count(*) from canonical_image where instance_id in (select id from instance where study_id = " + pending + ")"),
                "its SR is not delivered yet");
        assertEquals(1, count("select count(*) from canonical_image where instance_id in (select id from instance where study_id = " + recent + ")"),
                "delivered a day ago");
        assertEquals(2, count("select count(*) from model_input"), "model-ready inputs go with their canonical image: the pending and the recent study's stay");
        assertEquals(1, count("select count(*) from study where id = " + filesLeft), "a spool still holds its files");
        assertEquals(4, count("select count(*) from study_result"));
    }

    /** The soak benchmark's finding: one batch of 50 studies a firing (every minute) falls behind 2 studies/s for ever. */
    @Test
    void onePassPrunesEveryExpiredStudyNotJustOneBatch() throws Exception {
        int expired = DatabaseRetention.STUDY_BATCH * 3 + 7;
        exec("insert into study (study_instance_uid, last_received_at) select '1.2.826.0.1.' || g, now() - interval '2 days' "
                + "from generate_series(1, " + expired + ") g");
        exec("insert into study (study_instance_uid) values ('1.2.826.0.2.1')"); // recent: stays
        assertEquals(expired, retention(7, 14, 1).prune(Duration.ofSeconds(60)).studies());
        assertEquals("1.2.826.0.2.1", string("select string_agg(study_instance_uid, ' ') from study"));
    }

    private DatabaseRetention retention(double images, double jobs, double history) {
        return new DatabaseRetention(database, new DatabaseRetention.Periods(days(images), days(jobs), days(history)));
    }

    private static Duration days(double d) { return Duration.ofMillis((long) (d * 86_400_000)); }

    /** A reported study of one image with its canonical image and model input, score, result and one delivery; {@code age} ago. */
    private long study(String uid, String deliveryState, String age, boolean fileDeleted) throws SQLException {
        long study = count("insert into study (study_instance_uid, instance_count, reported_instance_count, first_received_at, last_received_at) "
                + "values ('" + uid + "', 1, 1, now() - interval '" + age + "', now() - interval '" + age + "') returning id");
        long series = count("insert into series (study_id, series_instance_uid) values (" + study + ", '" + uid + ".1') returning id");
        long instance = count("insert into instance (study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, rows, columns, "
                + "node, file_path, file_size, calling_ae_title, association_id, priority, received_at, file_deleted_at) values (" + study + ", "
                + series + ", '" + uid + ".1.1', '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', 10, 10, 'node-a', '/spool/" + uid
                + "', 1, 'MOD', 'a', 'MEDIUM', now() - interval '" + age + "', " + (fileDeleted ? "now()" : "null") + ") returning id");
        exec("insert into eligibility (instance_id, eligible) values (" + instance + ", true)");
        exec("insert into canonical_image (instance_id, png, width, height, source_width, source_height, window_source, render_ms) values ("
                + instance + ", '\\x00', 1, 1, 1, 1, 'header', 0)");
        exec("insert into model_input (instance_id, geometry, width, height, pixels) values (" + instance + ", '1x1 stretch', 1, 1, '\\x00')");
        exec("insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores, provider, "
                + "batch_size, tensor_ms, run_ms, node) values (" + instance + ", 'm', '1', true, 0.5, 'ROUTINE', '', '', 'cpu', 1, 0, 0, 'node-a')");
        long result = count("insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, image_count, "
                + "created_at) values (" + study + ", 'm', '1', 1, 'REPORTED', 'NORMAL', 0.5, 'ROUTINE', 1, now() - interval '" + age + "') returning id");
        exec("insert into delivery (study_result_id, destination, state, delivered_at) values (" + result + ", 'pacs', '" + deliveryState + "', "
                + ("delivered".equals(deliveryState) ? "now() - interval '" + age + "'" : "null") + ")");
        return study;
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = database.connection()) {
            c.createStatement().execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql) throws SQLException {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
