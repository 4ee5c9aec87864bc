package org.triagerouter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The job table as a queue. Enqueueing happens inside the caller's transaction (so a job exists
 * exactly when the row it is about does) and notifies {@link #CHANNEL} on commit; workers claim with
 * {@code FOR UPDATE SKIP LOCKED} and hold a lease that another worker may take over once it expires.
 */
public final class JobQueue {
    /** LISTEN/NOTIFY channel; the payload is the job kind. */
    public static final String CHANNEL = "triage_jobs";

    private final Database database;

    public JobQueue(Database database) { this.database = database; }

    /** Adds a job any node may do, unless a live one (queued or running) exists for the same kind and subject. */
    public static boolean enqueue(Connection transaction, String kind, String subject, int priority) throws SQLException {
        return enqueue(transaction, kind, subject, priority, null);
    }

    /** As {@link #enqueue(Connection, String, String, int)}, for a job only {@code node} may claim (null: any). */
    public static boolean enqueue(Connection transaction, String kind, String subject, int priority, String node) throws SQLException {
        return enqueue(transaction, kind, subject, priority, node, 5);
    }

    /** As above, with its own bound on attempts. */
    public static boolean enqueue(Connection transaction, String kind, String subject, int priority, String node, int maxAttempts)
            throws SQLException {
        int inserted;
        try (PreparedStatement insert = transaction.prepareStatement("""
                insert into job (kind, subject, priority, node, max_attempts) values (?, ?, ?, ?, ?)
                on conflict (kind, subject) where state in ('queued', 'running') do nothing""")) {
            insert.setString(1, kind);
            insert.setString(2, subject);
            insert.setInt(3, priority);
            insert.setString(4, node);
            insert.setInt(5, maxAttempts);
            inserted = insert.executeUpdate();
        }
        if (inserted > 0) {
            try (PreparedStatement notify = transaction.prepareStatement("select pg_notify(?, ?)")) {
                notify.setString(1, CHANNEL);
                notify.setString(2, kind);
                notify.execute();
            }
        }
        return inserted > 0;
    }

    /**
     * Claims up to {@code max} jobs of a kind that are due, or whose lease has expired, highest priority first.
     * Each claim counts as an attempt.
     */
    public List<Job> claim(String kind, String owner, int max, Duration lease) throws SQLException {
        return claim(kind, owner, null, max, lease);
    }

    /** Claims as above, among jobs for any node and jobs pinned to {@code node}. */
    public List<Job> claim(String kind, String owner, String node, int max, Duration lease) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement claim = c.prepareStatement("""
                     with picked as (
                         select id from job
                         where kind = ?
                           and (node is null or node = ?)
                           and ((state = 'queued' and next_attempt_at <= now())
                             or (state = 'running' and lease_expires_at < now() and attempts < max_attempts))
                         order by priority desc, next_attempt_at, id
                         limit ?
                         for update skip locked)
                     update job j
                        set state = 'running', lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond',
                            attempts = j.attempts + 1, updated_at = now()
                       from picked
                      where j.id = picked.id
                  returning j.id, j.kind, j.subject, j.priority, j.attempts, j.max_attempts""")) {
            claim.setString(1, kind);
            claim.setString(2, node);
            claim.setInt(3, max);
            claim.setString(4, owner);
            claim.setLong(5, lease.toMillis());
            List<Job> jobs = new ArrayList<>();
            try (ResultSet rs = claim.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6)));
                }
            }
            return jobs;
        }
    }

    /** Renews a lease; false when the job is no longer ours (it expired and was taken over). */
    public boolean extendLease(long jobId, String owner, Duration lease) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement update = c.prepareStatement("""
                     update job set lease_expires_at = now() + ? * interval '1 millisecond', updated_at = now()
                      where id = ? and lease_owner = ? and state = 'running'""")) {
            update.setLong(1, lease.toMillis());
            update.setLong(2, jobId);
            update.setString(3, owner);
            return update.executeUpdate() == 1;
        }
    }

    /** Marks a job done inside the caller's transaction; false when the lease was lost meanwhile. */
    public static boolean complete(Connection transaction, long jobId, String owner) throws SQLException {
        try (PreparedStatement update = transaction.prepareStatement("""
                update job set state = 'done', lease_owner = null, lease_expires_at = null, finished_at = now(), updated_at = now()
                 where id = ? and lease_owner = ? and state = 'running'
                returning kind, extract(epoch from now() - created_at)""")) {
            update.setLong(1, jobId);
            update.setString(2, owner);
            try (ResultSet rs = update.executeQuery()) {
                if (!rs.next()) return false;
                JobMetrics.done(rs.getString(1), rs.getDouble(2));
                return true;
            }
        }
    }

    /**
     * Records a failed attempt: back to the queue after the policy's delay, or FAILED for good when the
     * attempts are used up or the error is {@code permanent}. False when the lease was lost meanwhile.
     */
    public boolean fail(long jobId, String owner, String error, boolean permanent, RetryPolicy policy) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                int attempts, maxAttempts;
                String kind;
                try (PreparedStatement select = c.prepareStatement(
                        "select attempts, max_attempts, kind from job where id = ? and lease_owner = ? and state = 'running' for update")) {
                    select.setLong(1, jobId);
                    select.setString(2, owner);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        attempts = rs.getInt(1);
                        maxAttempts = rs.getInt(2);
                        kind = rs.getString(3);
                    }
                }
                boolean giveUp = permanent || attempts >= maxAttempts;
                try (PreparedStatement update = c.prepareStatement("""
                        update job set state = ?, finished_at = case when ? then now() end,
                               next_attempt_at = now() + ? * interval '1 millisecond', last_error = ?,
                               lease_owner = null, lease_expires_at = null, updated_at = now()
                         where id = ?""")) {
                    update.setString(1, giveUp ? "failed" : "queued");
                    update.setBoolean(2, giveUp);
                    update.setLong(3, giveUp ? 0 : policy.delayBefore(attempts + 1).toMillis());
                    update.setString(4, error);
                    update.setLong(5, jobId);
                    update.executeUpdate();
                }
                c.commit();
                JobMetrics.failedAttempt(kind, giveUp);
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Returns jobs whose lease expired to the queue (their attempt was counted when claimed), or fails
     * them when that was their last attempt. Claims also take expired leases over; this keeps the
     * table truthful for the dashboard when no worker of that kind is running.
     */
    public int recoverExpiredLeases() throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement update = c.prepareStatement("""
                     update job set state = case when attempts >= max_attempts then 'failed' else 'queued' end,
                            finished_at = case when attempts >= max_attempts then now() end,
                            last_error = coalesce(last_error || '; ', '') || 'lease of ' || lease_owner || ' expired',
                            lease_owner = null, lease_expires_at = null, next_attempt_at = now(), updated_at = now()
                      where state = 'running' and lease_expires_at < now()
                     returning kind, state""")) {
            int recovered = 0;
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    recovered++;
                    JobMetrics.failedAttempt(rs.getString(1), "failed".equals(rs.getString(2))); // the attempt its lease used up
                }
            }
            return recovered;
        }
    }

    /** Wakes the workers of {@code kind} when jobs have become due since they went to sleep (a retry's backoff ended). */
    public boolean announceDue(String kind) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select pg_notify(?, ?) from job
                      where kind = ? and state = 'queued' and next_attempt_at <= now() and attempts > 0 limit 1""")) {
            s.setString(1, CHANNEL);
            s.setString(2, kind);
            s.setString(3, kind);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Hands claimed jobs back untouched (the attempt is not counted), for a worker that stops or fails
     * before it could process them: they need not wait for their lease to expire.
     */
    public int release(List<Job> jobs, String owner) throws SQLException {
        if (jobs.isEmpty()) return 0;
        try (Connection c = database.connection();
             PreparedStatement update = c.prepareStatement("""
                     update job set state = 'queued', attempts = greatest(attempts - 1, 0), lease_owner = null, lease_expires_at = null,
                            updated_at = now()
                      where id = any (?) and lease_owner = ? and state = 'running'""")) {
            update.setArray(1, c.createArrayOf("bigint", jobs.stream().map(Job::id).toArray()));
            update.setString(2, owner);
            return update.executeUpdate();
        }
    }

    /** Puts a failed job back in the queue for a fresh set of attempts (the dashboard's retry), unless a live twin exists. */
    public boolean retry(long jobId) throws SQLException {
        try (Connection c = database.connection()) {
            return retry(c, jobId);
        }
    }

    /** The same inside the caller's transaction, so a retry can change the job's subject with it. */
    public static boolean retry(Connection c, long jobId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("""
                     update job set state = 'queued', attempts = 0, next_attempt_at = now(), finished_at = null, updated_at = now()
                      where id = ? and state = 'failed'
                        and not exists (select 1 from job twin where twin.kind = job.kind and twin.subject = job.subject
                                          and twin.state in ('queued', 'running'))""")) {
            update.setLong(1, jobId);
            return update.executeUpdate() == 1;
        }
    }
}
