package org.triagerouter.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/** Puts dead-lettered work back in the queue for a fresh set of attempts: the dashboard's retry button and the {@code retry} command. */
public final class FailedWork {
    private final Database database;

    public FailedWork(Database database) { this.database = database; }

    /** Failed deliveries (all of them when {@code ids} is empty) back to pending with their dispatch job queued; returns how many. */
    public int retryDeliveries(long... ids) throws SQLException {
        int retried = 0;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    select d.id, j.id from delivery d join job j on j.kind = ? and j.subject = d.id::text and j.state = 'failed'
                     where d.state = 'failed' and (cardinality(?::bigint[]) = 0 or d.id = any (?::bigint[]))
                     for update of d""")) {
                Array array = c.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray(Long[]::new));
                s.setString(1, JobKind.DISPATCH.id());
                s.setArray(2, array);
                s.setArray(3, array);
                try (ResultSet rs = s.executeQuery();
                     PreparedStatement pending = c.prepareStatement("update delivery set state = 'pending' where id = ?")) {
                    while (rs.next()) {
                        // Delivery and job together: a dispatcher must never find a queued job beside a failed delivery,
                        // nor a pending delivery beside a job that failed again in between.
                        if (JobQueue.retry(c, rs.getLong(2))) {
                            pending.setLong(1, rs.getLong(1));
                            pending.executeUpdate();
                            retried++;
                        }
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return retried;
    }

    /**
     * One failed job again; a dispatch job takes its delivery with it, and an image's job re-opens its study
     * so that a revision follows once the image is scored. False when it is not (or no longer) failed.
     */
    public boolean retryJob(long jobId) throws SQLException {
        String kind, subject;
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select kind, subject from job where id = ? and state = 'failed'")) {
            s.setLong(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return false;
                kind = rs.getString(1);
                subject = rs.getString(2);
            }
        }
        if (JobKind.DISPATCH.id().equals(kind)) return retryDeliveries(Long.parseLong(subject)) == 1;
        return Transactions.inTransaction(database, c -> {
            if (!JobQueue.retry(c, jobId)) return false;
            if (JobKind.of(kind).subject() == JobKind.Subject.SOP_INSTANCE_UID) reopenStudyOf(c, subject);
            return true;
        });
    }

    /** Every failed job pinned to {@code node} again (a lost node that came back with its spool); returns how many. */
    public int retryJobsOfNode(String node) throws SQLException {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select id from job where node = ? and state = 'failed' order by id")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        int retried = 0;
        for (long id : ids) if (retryJob(id)) retried++;
        return retried;
    }

    /** The study counts one image fewer as reported, so study completion takes it up again when its image jobs are done. */
    private static void reopenStudyOf(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                update study set reported_instance_count = least(reported_instance_count, instance_count - 1)
                 where id = (select study_id from instance where sop_instance_uid = ? and rows > 0) and reported_instance_count > 0""")) {
            s.setString(1, sopInstanceUid);
            s.executeUpdate();
        }
    }
}
