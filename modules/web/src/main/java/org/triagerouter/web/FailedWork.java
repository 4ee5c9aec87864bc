package org.triagerouter.web;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;

/** Puts dead-lettered work back in the queue for a fresh set of attempts: the dashboard's retry button and the {@code retry} command. */
public final class FailedWork {
    private final Database database;
    private final JobQueue queue;

    public FailedWork(Database database) {
        this.database = database;
        this.queue = new JobQueue(database);
    }

    /** Failed deliveries (all of them when {@code ids} is empty) back to pending with their dispatch job queued; returns how many. */
    public int retryDeliveries(long... ids) throws SQLException {
        int retried = 0;
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select d.id, j.id from delivery d join job j on j.kind = ? and j.subject = d.id::text and j.state = 'failed'
                      where d.state = 'failed' and (cardinality(?::bigint[]) = 0 or d.id = any (?::bigint[]))""")) {
            Array array = c.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray(Long[]::new));
            s.setString(1, JobKinds.DISPATCH);
            s.setArray(2, array);
            s.setArray(3, array);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (queue.retry(rs.getLong(2))) {
                        try (PreparedStatement d = c.prepareStatement("update delivery set state = 'pending' where id = ? and state = 'failed'")) {
                            d.setLong(1, rs.getLong(1));
                            d.executeUpdate();
                        }
                        retried++;
                    }
                }
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
        }
        return queue.retry(jobId);
    }
}
