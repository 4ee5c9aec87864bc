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
    public static boolean enqueue(Connection transaction, JobKind kind, String subject, int priority) throws SQLException {
        return enqueue(transaction, kind, subject, priority, null);
    }

    /** As {@link #enqueue(Connection, JobKind, String, int)}, for a job only {@code node} may claim (null: any). */
    public static boolean enqueue(Connection transaction, JobKind kind, String subject, int priority, String node) throws SQLException {
        return enqueue(transaction, kind, subject, priority, node, 5);
    }

    /** As above, with its own bound on attempts. */
    public static boolean enqueue(Connection transaction, JobKind kind, String subject, int priority, String node, int maxAttempts)
            throws SQLException {
        if (kind.placement() == JobKind.Placement.RECEIVING_NODE && node == null) {
            throw new IllegalArgumentException(kind + " jobs run on the node holding their file; a node is required");
        }
        int inserted;
        try (PreparedStatement insert = transaction.prepareStatement("""
                insert into job (kind, subject, priority, node, max_attempts) values (?, ?, ?, ?, ?)
                on conflict (kind, subject) where state in ('queued', 'running') do nothing""")) {
            insert.setString(1, kind.id());
            insert.setString(2, subject);
            insert.setInt(3, priority);
            insert.setString(4, node);
            insert.setInt(5, maxAttempts);
            inserted = insert.executeUpdate();
        }
        if (inserted > 0) {
            try (PreparedStatement notify = transaction.prepareStatement("select pg_notify(?, ?)")) {
                notify.setString(1, CHANNEL);
                notify.setString(2, kind.id());
                notify.execute();
            }
        }
        return inserted > 0;
    }

    /**
     * Claims up to {@code max} jobs of a kind that are due, or whose lease has expired, highest priority first.
     * Each claim counts as an attempt.
     */
    public List<Job> claim(JobKind kind, String owner, int max, Duration lease) throws SQLException {
        return claim(kind, owner, null, max, lease);
    }

    /** Claims as above, among jobs for any node and jobs pinned to {@code node}. */
    public List<Job> claim(JobKind kind, String owner, String node, int max, Duration lease) throws SQLException {
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
                  returning j.id, j.kind, j.subject, j.priority, j.attempts, j.max_attempts, j.created_at""")) {
            claim.setString(1, kind.id());
            claim.setString(2, node);
            claim.setInt(3, max);
            claim.setString(4, owner);
            claim.setLong(5, lease.toMillis());
            List<Job> jobs = new ArrayList<>();
            try (ResultSet rs = claim.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new Job(rs.getLong(1), JobKind.of(rs.getString(2)), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                            rs.getTimestamp(7).toInstant()));
                }
            }
            return jobs;
        }
    }

    /** How a job's outcome was recorded: its new state, or {@code LOST} when the lease was no longer ours and nothing was written. */
    public enum Recorded { DONE, QUEUED, FAILED, LOST }

    /**
     * Writes a handler's outcome inside the caller's transaction: the job row is locked first and must still
     * be leased to {@code owner} (a claim skips locked rows, so it cannot be taken over meanwhile); then the
     * outcome's rows, then the job's new state. A retry goes back to the queue after the policy's delay, or
     * FAILED when the attempts are used up. When the lease is lost, nothing is written.
     */
    public static Recorded record(Connection transaction, Job job, String owner, Outcome outcome, RetryPolicy policy) throws SQLException {
        try (PreparedStatement lock = transaction.prepareStatement(
                "select attempts, max_attempts from job where id = ? and lease_owner = ? and state = 'running' for update")) {
            lock.setLong(1, job.id());
            lock.setString(2, owner);
            try (ResultSet rs = lock.executeQuery()) {
                if (!rs.next()) return Recorded.LOST;
            }
        }
        outcome.rows().write(transaction);
        Recorded recorded = switch (outcome) {
            case Outcome.Done d -> Recorded.DONE;
            case Outcome.Failed f -> Recorded.FAILED;
            case Outcome.Retry r -> job.attempts() >= job.maxAttempts() ? Recorded.FAILED : Recorded.QUEUED;
        };
        String error = switch (outcome) {
            case Outcome.Done d -> null;
            case Outcome.Failed f -> f.reason();
            case Outcome.Retry r -> r.reason();
        };
        try (PreparedStatement update = transaction.prepareStatement("""
                update job set state = ?, finished_at = case when ? then now() end,
                       next_attempt_at = now() + ? * interval '1 millisecond', last_error = coalesce(?, last_error),
                       lease_owner = null, lease_expires_at = null, updated_at = now()
                 where id = ?""")) {
            update.setString(1, switch (recorded) {
                case DONE -> "done";
                case QUEUED -> "queued";
                default -> "failed";
            });
            update.setBoolean(2, recorded != Recorded.QUEUED);
            update.setLong(3, recorded == Recorded.QUEUED ? policy.delayBefore(job.attempts() + 1).toMillis() : 0);
            update.setString(4, error);
            update.setLong(5, job.id());
            update.executeUpdate();
        }
        return recorded;
    }

    /** Records an outcome in a transaction of its own; the metrics follow only once it is committed. */
    public Recorded record(Job job, String owner, Outcome outcome, RetryPolicy policy) throws SQLException {
        Recorded recorded = Transactions.inTransaction(database, c -> record(c, job, owner, outcome, policy));
        JobMetrics.recorded(job, recorded);
        if (finished(recorded)) database.finishedJobs().announce(List.of(job));
        return recorded;
    }

    /**
     * Records a batch's outcomes (one per job, in order) in one transaction; metrics once it is committed. Same rules
     * as {@link #record(Connection, Job, String, Outcome, RetryPolicy)}, but the jobs are locked and updated with one
     * statement each for the whole batch (an inference batch must not cost a round trip per image and job).
     */
    public List<Recorded> record(List<Job> jobs, String owner, List<Outcome> outcomes, RetryPolicy policy) throws SQLException {
        if (jobs.isEmpty()) return List.of();
        if (jobs.size() != outcomes.size()) throw new IllegalArgumentException(jobs.size() + " jobs but " + outcomes.size() + " outcomes");
        List<Recorded> recorded = Transactions.inTransaction(database, c -> recordBatch(c, jobs, owner, outcomes, policy));
        List<Job> finished = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            JobMetrics.recorded(jobs.get(i), recorded.get(i));
            if (finished(recorded.get(i))) finished.add(jobs.get(i));
        }
        database.finishedJobs().announce(finished);
        return recorded;
    }

    private static boolean finished(Recorded recorded) { return recorded == Recorded.DONE || recorded == Recorded.FAILED; }

    private static List<Recorded> recordBatch(Connection transaction, List<Job> jobs, String owner, List<Outcome> outcomes,
                                              RetryPolicy policy) throws SQLException {
        java.util.Set<Long> held = new java.util.HashSet<>();
        try (PreparedStatement lock = transaction.prepareStatement("""
                select id from job where id = any(?) and lease_owner = ? and state = 'running' order by id for update""")) {
            lock.setArray(1, transaction.createArrayOf("bigint", jobs.stream().map(Job::id).toArray()));
            lock.setString(2, owner);
            try (ResultSet rs = lock.executeQuery()) {
                while (rs.next()) held.add(rs.getLong(1));
            }
        }
        List<Recorded> recorded = new ArrayList<>(jobs.size());
        List<Object> ids = new ArrayList<>(), states = new ArrayList<>(), finished = new ArrayList<>(), delays = new ArrayList<>(),
                errors = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            Outcome outcome = outcomes.get(i);
            if (!held.contains(job.id())) {
                recorded.add(Recorded.LOST);
                continue;
            }
            outcome.rows().write(transaction);
            Recorded each = switch (outcome) {
                case Outcome.Done d -> Recorded.DONE;
                case Outcome.Failed f -> Recorded.FAILED;
                case Outcome.Retry r -> job.attempts() >= job.maxAttempts() ? Recorded.FAILED : Recorded.QUEUED;
            };
            recorded.add(each);
            ids.add(job.id());
            states.add(switch (each) {
                case DONE -> "done";
                case QUEUED -> "queued";
                default -> "failed";
            });
            finished.add(each != Recorded.QUEUED);
            delays.add(each == Recorded.QUEUED ? policy.delayBefore(job.attempts() + 1).toMillis() : 0L);
            errors.add(switch (outcome) {
                case Outcome.Done d -> null;
                case Outcome.Failed f -> f.reason();
                case Outcome.Retry r -> r.reason();
            });
        }
        if (ids.isEmpty()) return recorded;
        try (PreparedStatement update = transaction.prepareStatement("""
                update job set state = u.state, finished_at = case when u.finished then now() end,
                       next_attempt_at = now() + u.delay * interval '1 millisecond', last_error = coalesce(u.error, job.last_error),
                       lease_owner = null, lease_expires_at = null, updated_at = now()
                  from unnest(?::bigint[], ?::text[], ?::boolean[], ?::bigint[], ?::text[]) as u(id, state, finished, delay, error)
                 where job.id = u.id""")) {
            update.setArray(1, transaction.createArrayOf("bigint", ids.toArray()));
            update.setArray(2, transaction.createArrayOf("text", states.toArray()));
            update.setArray(3, transaction.createArrayOf("boolean", finished.toArray()));
            update.setArray(4, transaction.createArrayOf("bigint", delays.toArray()));
            update.setArray(5, transaction.createArrayOf("text", errors.toArray()));
            update.executeUpdate();
        }
        return recorded;
    }

    /** Completes a job with no rows of its own (tests, simple stages); false when the lease was lost. */
    public static boolean complete(Connection transaction, Job job, String owner) throws SQLException {
        return record(transaction, job, owner, Outcome.done(), RetryPolicy.DEFAULT) == Recorded.DONE;
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
    public boolean announceDue(JobKind kind) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select pg_notify(?, ?) from job
                      where kind = ? and state = 'queued' and next_attempt_at <= now() and attempts > 0 limit 1""")) {
            s.setString(1, CHANNEL);
            s.setString(2, kind.id());
            s.setString(3, kind.id());
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
