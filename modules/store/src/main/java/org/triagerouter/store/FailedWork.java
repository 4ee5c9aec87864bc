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
                s.setString(1, JobKinds.DISPATCH);
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

    /** One failed job again; a dispatch job takes its delivery with it. False when it is not (or no longer) failed. */
    public boolean retryJob(long jobId) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select kind, subject from job where id = ? and state = 'failed'")) {
            s.setLong(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return false;
                if (JobKinds.DISPATCH.equals(rs.getString(1))) return retryDeliveries(Long.parseLong(rs.getString(2))) == 1;
            }
            return JobQueue.retry(c, jobId);
        }
    }
}
