package org.triagerouter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the database from growing for ever, in small batches of short, throttled transactions (a batch locks
 * only the rows it deletes, so ingest never waits behind it):
 * <ul>
 * <li>canonical images with their model-ready inputs (which the schema deletes with them), {@code images} after their
 *     study's results were all delivered (or shadowed);</li>
 * <li>finished jobs, {@code jobs} after they finished (failed ones, which the Failures page lists, after {@code history});
 *     association records likewise after {@code jobs};</li>
 * <li>studies with their series, instances, eligibility, scores, results and deliveries (the audit trail), {@code history}
 *     after their last instance came, once the spool no longer holds any of their files.</li>
 * </ul>
 */
public final class DatabaseRetention {
    private static final Logger log = LoggerFactory.getLogger(DatabaseRetention.class);
    static final int BATCH = 500;
    /** Pause after a batch, as a multiple of its duration: retention is never urgent, ingest is. */
    private static final long PAUSE_FACTOR = 4;
    /** Studies go fewer at a time: each takes its series, instances, scores, results and deliveries with it. */
    static final int STUDY_BATCH = BATCH / 10;

    /** How long each kind of row is kept. */
    public record Periods(Duration images, Duration jobs, Duration history) {}

    /** Rows deleted by one pass. */
    public record Pruned(int images, int jobs, int associations, int studies) {
        public int total() { return images + jobs + associations + studies; }
    }

    private final Database database;
    private final Periods periods;

    public DatabaseRetention(Database database, Periods periods) {
        this.database = database;
        this.periods = periods;
    }

    /** Deletes what has expired, batch after batch, until nothing is left or {@code budget} is spent. */
    public Pruned prune(Duration budget) throws SQLException {
        long deadline = System.nanoTime() + budget.toNanos();
        int images = drain(deadline, this::deleteImages, BATCH);
        int jobs = drain(deadline, this::deleteJobs, BATCH);
        int associations = drain(deadline, this::deleteAssociations, BATCH);
        int studies = drain(deadline, this::deleteStudies, STUDY_BATCH);
        Pruned pruned = new Pruned(images, jobs, associations, studies);
        if (pruned.total() > 0) {
            log.info("database retention: deleted {} canonical image(s) with their model inputs, {} job(s), {} association record(s), {} stud(ies) with their history",
                    images, jobs, associations, studies);
        }
        return pruned;
    }

    @FunctionalInterface
    private interface Batch {
        int delete(Connection transaction) throws SQLException;
    }

    /**
     * Batch after batch while each comes back full ({@code size} rows: a short one means nothing more has expired), each followed by a pause four times as long as it took: a prune uses at most a fifth of a core and
     * of the disk, so ingest beside it keeps its pace. Its commits do not wait for the WAL flush (a delete lost in a crash
     * is simply made again next time), so ingest's own commits do not queue behind them.
     */
    private int drain(long deadline, Batch batch, int size) throws SQLException {
        int total = 0;
        while (System.nanoTime() < deadline) {
            long start = System.nanoTime();
            int deleted = Transactions.inTransaction(database, c -> {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("set local synchronous_commit = off");
                }
                return batch.delete(c);
            });
            total += deleted;
            if (deleted < size) break;
            try {
                long pause = Math.min(PAUSE_FACTOR * (System.nanoTime() - start), deadline - System.nanoTime());
                if (pause > 0) Thread.sleep(Duration.ofNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return total;
    }

    private int deleteImages(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                delete from canonical_image where instance_id in (
                    select ci.instance_id from canonical_image ci join instance i on i.id = ci.instance_id join study st on st.id = i.study_id
                     where st.instance_count <= st.reported_instance_count
                       and exists (select 1 from study_result r where r.study_id = st.id and r.status = 'REPORTED')
                       -- an image whose scoring failed or is under way keeps its canonical image: a retry needs it
                       and not exists (select 1 from job j where j.subject = i.sop_instance_uid and j.kind = any (?)
                                         and j.state in ('failed', 'queued', 'running'))
                       and not exists (select 1 from study_result r join delivery d on d.study_result_id = r.id where r.study_id = st.id
                                         and (d.state not in ('delivered', 'shadow')
                                              or coalesce(d.delivered_at, r.created_at) > now() - ? * interval '1 millisecond'))
                       and not exists (select 1 from study_result r where r.study_id = st.id
                                         and r.created_at > now() - ? * interval '1 millisecond')
                     limit ? for update of ci skip locked)""")) {
            s.setArray(1, c.createArrayOf("text", JobKind.imageStages()));
            s.setLong(2, periods.images().toMillis());
            s.setLong(3, periods.images().toMillis());
            s.setInt(4, BATCH);
            return s.executeUpdate();
        }
    }

    private int deleteJobs(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                delete from job where id in (
                    select id from job
                     where (state = 'done' and finished_at < now() - ? * interval '1 millisecond')
                        or (state = 'failed' and finished_at < now() - ? * interval '1 millisecond')
                     limit ? for update skip locked)""")) {
            s.setLong(1, periods.jobs().toMillis());
            s.setLong(2, periods.history().toMillis());
            s.setInt(3, BATCH);
            return s.executeUpdate();
        }
    }

    private int deleteAssociations(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                delete from association where id in (
                    select id from association where closed_at < now() - ? * interval '1 millisecond' limit ? for update skip locked)""")) {
            s.setLong(1, periods.jobs().toMillis());
            s.setInt(2, BATCH);
            return s.executeUpdate();
        }
    }

    /** A study and everything that hangs off it, children first; only once none of its files is left in a spool. */
    private int deleteStudies(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select st.id from study st
                 where st.last_received_at < now() - ? * interval '1 millisecond'
                   and not exists (select 1 from instance i where i.study_id = st.id and i.file_deleted_at is null)
                 order by st.last_received_at limit ? for update skip locked""")) {
            s.setLong(1, periods.history().toMillis());
            s.setInt(2, STUDY_BATCH);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        if (ids.isEmpty()) return 0;
        java.sql.Array studies = c.createArrayOf("bigint", ids.toArray());
        for (String sql : new String[] {
                "delete from delivery where study_result_id in (select id from study_result where study_id = any (?))",
                "update study set latest_result_id = null where id = any (?)",
                "delete from study_result where study_id = any (?)",
                "delete from ground_truth where study_id = any (?)",
                "delete from score where instance_id in (select id from instance where study_id = any (?))",
                "delete from canonical_image where instance_id in (select id from instance where study_id = any (?))",
                "delete from eligibility where instance_id in (select id from instance where study_id = any (?))",
                "delete from instance where study_id = any (?)",
                "delete from series where study_id = any (?)",
                "delete from study where id = any (?)"}) {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setArray(1, studies);
                s.executeUpdate();
            }
        }
        return ids.size();
    }
}
