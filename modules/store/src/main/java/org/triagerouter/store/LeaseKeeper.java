package org.triagerouter.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the jobs this process holds alive: every third of the lease, one statement renews
 * them all. A lease can therefore be short (a dead node's work is taken over within it) while a job may
 * run for as long as it needs. A job whose renewal finds it owned by someone else is reported lost.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    private final Database database;
    private final Duration lease;
    private final Map<Long, String> held = new ConcurrentHashMap<>();
    private final Set<Long> lost = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lease-keeper").daemon(true).factory());

    public LeaseKeeper(Database database, Duration lease) {
        this.database = database;
        this.lease = lease;
        long every = Math.max(100, lease.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    public Duration lease() { return lease; }

    /** From claim to recorded outcome (or release), these jobs' leases are renewed. */
    public void hold(Collection<Job> jobs, String owner) {
        for (Job job : jobs) held.put(job.id(), owner);
    }

    public void drop(Job job) {
        held.remove(job.id());
        lost.remove(job.id());
    }

    public void drop(Collection<Job> jobs) {
        for (Job job : jobs) drop(job);
    }

    /** True once a renewal found the job owned by another worker: whatever this one does with it will not be written. */
    public boolean lost(Job job) { return lost.contains(job.id()); }

    /** The jobs held now, for a shutdown that hands them back. */
    public int heldCount() { return held.size(); }

    /** Renews every held lease now; returns how many were renewed. */
    public int renew() throws SQLException {
        if (held.isEmpty()) return 0;
        List<Long> ids = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        held.forEach((id, owner) -> {
            ids.add(id);
            owners.add(owner);
        });
        Set<Long> renewed = new HashSet<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     with held as (select j.id from job j join unnest(?::bigint[], ?::text[]) as h(id, owner)
                                     on j.id = h.id and j.lease_owner = h.owner and j.state = 'running'
                                   order by j.id for update of j skip locked)
                     update job j set lease_expires_at = now() + ? * interval '1 millisecond' from held where j.id = held.id
                     returning j.id""")) {
            Array idArray = c.createArrayOf("bigint", ids.toArray());
            Array ownerArray = c.createArrayOf("text", owners.toArray());
            s.setArray(1, idArray);
            s.setArray(2, ownerArray);
            s.setLong(3, lease.toMillis());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) renewed.add(rs.getLong(1));
            }
        }
        // A row locked right now (its outcome being written) was skipped, not lost: lost is a row that names another owner.
        List<Long> notRenewed = ids.stream().filter(id -> !renewed.contains(id) && held.containsKey(id)).toList();
        if (!notRenewed.isEmpty()) {
            try (Connection c = database.connection();
                 PreparedStatement s = c.prepareStatement("select id, lease_owner from job where id = any (?) and lease_owner is not null")) {
                s.setArray(1, c.createArrayOf("bigint", notRenewed.toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        String expected = held.get(id);
                        if (expected != null && !expected.equals(rs.getString(2)) && lost.add(id)) {
                            log.warn("lease of job {} lost: {} owns it now", id, rs.getString(2));
                        }
                    }
                }
            }
        }
        return renewed.size();
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (SQLException | RuntimeException e) {
            log.debug("leases not renewed: {}", e.getMessage()); // readiness reports the database
        }
    }

    @Override
    public void close() { timer.shutdownNow(); }
}
