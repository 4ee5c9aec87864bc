package org.triagerouter.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares a node whose heartbeat stopped for {@code lostAfter} lost, and fails the jobs pinned to it
 * (they need its spool) with the reason {@code node lost: NAME}, so the rest of each study completes and
 * an operator sees, and can retry, what was lost. Its unpinned jobs need nothing: their leases expire and
 * another node takes them over. Safe on several nodes at once (one transaction, row locks).
 */
public final class NodeLoss {
    private static final Logger log = LoggerFactory.getLogger(NodeLoss.class);

    private final Database database;
    private final Duration lostAfter;

    public NodeLoss(Database database, Duration lostAfter) {
        this.database = database;
        this.lostAfter = lostAfter;
    }

    public Duration lostAfter() { return lostAfter; }

    /** The nodes declared lost by this call. */
    public List<String> declareLost() throws SQLException {
        record Lost(String name, int failed) {}
        List<Lost> lost = Transactions.inTransaction(database, c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    update node set lost_at = now() where lost_at is null and heartbeat_at < now() - ? * interval '1 millisecond'
                    returning name""")) {
                s.setLong(1, lostAfter.toMillis());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) names.add(rs.getString(1));
                }
            }
            List<Lost> each = new ArrayList<>();
            for (String name : names) {
                // Housekeeping of its spool is nobody's loss: dropped, not dead-lettered.
                try (PreparedStatement s = c.prepareStatement("delete from job where node = ? and kind = ? and state in ('queued', 'running')")) {
                    s.setString(1, name);
                    s.setString(2, JobKind.RETENTION.id());
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("""
                        update job set state = 'failed', finished_at = now(), updated_at = now(), lease_owner = null, lease_expires_at = null,
                               last_error = coalesce(last_error || '; ', '') || 'node lost: ' || node
                         where node = ? and state in ('queued', 'running')""")) {
                    s.setString(1, name);
                    each.add(new Lost(name, s.executeUpdate()));
                }
            }
            return each;
        });
        for (Lost l : lost) {
            log.warn("node {} lost: no heartbeat for over {} s; {} job(s) pinned to it failed (retry them when it is back)", l.name(),
                    lostAfter.toSeconds(), l.failed());
        }
        return lost.stream().map(Lost::name).toList();
    }
}
