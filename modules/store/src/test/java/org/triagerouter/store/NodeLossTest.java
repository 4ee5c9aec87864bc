package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

class NodeLossTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    Database database;

    @BeforeEach
    void freshDatabase() { database = postgres.database(); }

    @Test
    void aSilentNodesPinnedJobsFailWithTheReasonAndItsOtherWorkStaysInTheQueue() throws Exception {
        node("node-a", "now() - interval '5 minutes'");
        node("node-b", "now()");
        Transactions.run(database, c -> {
            JobQueue.enqueue(c, JobKind.PREPARE, "image-on-a", JobKind.ROUTINE, "node-a");
            JobQueue.enqueue(c, JobKind.PREPARE, "image-on-b", JobKind.ROUTINE, "node-b");
            JobQueue.enqueue(c, JobKind.RETENTION, "node-a", JobKind.ROUTINE, "node-a");
            JobQueue.enqueue(c, JobKind.INFER, "image-anywhere", JobKind.ROUTINE);
        });
        NodeLoss loss = new NodeLoss(database, Duration.ofMinutes(2));
        assertEquals(List.of("node-a"), loss.declareLost());
        assertEquals("failed node lost: node-a", string("select state || ' ' || last_error from job where subject = 'image-on-a'"));
        assertEquals("queued", string("select state from job where subject = 'image-on-b'"));
        assertEquals("queued", string("select state from job where subject = 'image-anywhere'"));
        assertEquals(0, count("select count(*) from job where kind = 'retention'"), "housekeeping of a lost spool is dropped, not dead-lettered");
        assertEquals(List.of(), loss.declareLost(), "declared once");

        // Back: its heartbeat clears the mark, and a retried job is its own again.
        try (NodeHeartbeat back = NodeHeartbeat.claim(database, new NodeHeartbeat.NodeInfo("node-a", "test", "TRIAGE", 1, 1, "", ""))) {
            assertEquals(0, count("select count(*) from node where lost_at is not null"));
        }
    }

    /** A node's row as its heartbeat writes it (claimed, then stopped), last beating at {@code heartbeat}. */
    private void node(String name, String heartbeat) throws Exception {
        try (NodeHeartbeat beating = NodeHeartbeat.claim(database, new NodeHeartbeat.NodeInfo(name, "test", "TRIAGE", 1, 1, "", ""))) {
            // The row exists now.
        }
        try (Connection c = database.connection()) {
            c.createStatement().execute("update node set heartbeat_at = " + heartbeat + " where name = '" + name + "'");
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
