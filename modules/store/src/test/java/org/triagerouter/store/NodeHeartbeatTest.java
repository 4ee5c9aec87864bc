package org.triagerouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.triagerouter.store.testing.PostgresExtension;

/** A node name belongs to one live process: claimed at start, kept by beating, refused to a second process while it beats. */
class NodeHeartbeatTest {
    /** Short beats so a test waits a second where a router waits 15 s. */
    static final Duration INTERVAL = Duration.ofMillis(200), STALE_AFTER = Duration.ofSeconds(1);
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();
    Database database;
    final List<NodeHeartbeat> heartbeats = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        database = new Database(postgres.emptyDatabase());
        database.migrate();
    }

    @AfterEach
    void close() {
        heartbeats.forEach(NodeHeartbeat::close);
        database.close();
    }

    @Test
    void aSecondProcessIsRefusedWhileTheFirstBeats() throws Exception {
        NodeHeartbeat first = claim("node-1");
        long start = System.nanoTime();
        NodeHeartbeat.NameInUseException refused = assertThrows(NodeHeartbeat.NameInUseException.class, () -> claim("node-1"));
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited < STALE_AFTER.toMillis(), "refused as soon as the holder was seen beating, after " + waited + " ms");
        assertEquals(first.processId(), refused.holder().processId());
        assertEquals(ProcessHandle.current().pid(), refused.holder().pid());
        assertTrue(refused.getMessage().startsWith("node name 'node-1' is in use by a live router (host "), refused.getMessage());
        assertTrue(refused.getMessage().contains(", pid " + ProcessHandle.current().pid() + ", heartbeat "), refused.getMessage());
        assertTrue(first.ownsName());
        assertEquals(first.processId(), string("select process_id from node where name = 'node-1'"));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), string("select pid from node where name = 'node-1'"));
        assertFalse(string("select host from node where name = 'node-1'").isEmpty());

        NodeHeartbeat other = claim("node-2");
        assertTrue(other.ownsName(), "another name is another node");
    }

    @Test
    void theNameIsTakenOverOnceTheHolderStopsBeatingAndTheHolderNoticesItLostIt() throws Exception {
        NodeHeartbeat frozen = claim("node-1");
        frozen.update(new NodeHeartbeat.NodeInfo("node-1", "1", "AE", 104, 8080, "m 1", "cpu"));
        Thread.sleep(INTERVAL.toMillis() * 2);
        frozen.stopBeating(); // SIGSTOP: its beats stop, nothing is released
        long start = System.nanoTime();
        NodeHeartbeat successor = claim("node-1");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= STALE_AFTER.toMillis() / 2 && waited < STALE_AFTER.toMillis() * 4, "taken when stale, after " + waited + " ms");
        assertEquals(successor.processId(), string("select process_id from node where name = 'node-1'"));
        assertFalse(frozen.ownsName(), "its last confirmed beat is older than the bound");

        frozen.beat(); // it thaws: its beat finds the name taken, and it writes nothing
        assertFalse(frozen.ownsName());
        assertEquals(successor.processId(), string("select process_id from node where name = 'node-1'"));
        frozen.close(); // and releases nothing that is not its own
        assertEquals(successor.processId(), string("select process_id from node where name = 'node-1'"));
        assertTrue(successor.ownsName());
    }

    @Test
    void aNameReleasedByACleanStopIsFreeAtOnce() throws Exception {
        NodeHeartbeat first = claim("node-1");
        first.close();
        assertNull(string("select process_id from node where name = 'node-1'"));
        long start = System.nanoTime();
        NodeHeartbeat second = claim("node-1");
        assertTrue(System.nanoTime() - start < STALE_AFTER.toNanos() / 2, "no wait for a released name");
        assertTrue(second.ownsName());
    }

    @Test
    void aNameHeldByACrashedProcessOnThisHostIsTakenAtOnce() throws Exception {
        NodeHeartbeat crashed = claim("node-1");
        crashed.stopBeating();
        long deadPid = deadPid();
        execute("update node set process_id = 'crashed', pid = " + deadPid + ", heartbeat_at = now() where name = 'node-1'");
        long start = System.nanoTime();
        NodeHeartbeat restarted = claim("node-1");
        assertTrue(System.nanoTime() - start < STALE_AFTER.toNanos() / 2, "no wait for a dead pid in this PID namespace");
        assertEquals(restarted.processId(), string("select process_id from node where name = 'node-1'"));
    }

    @Test
    void aDeadPidFromAnotherPidNamespaceProvesNothing() throws Exception {
        NodeHeartbeat elsewhere = claim("node-1");
        elsewhere.stopBeating();
        execute("update node set process_id = 'elsewhere', pid = " + deadPid() + ", pid_namespace = 'another machine', heartbeat_at = now()"
                + " where name = 'node-1'");
        long start = System.nanoTime();
        NodeHeartbeat successor = claim("node-1");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= STALE_AFTER.toMillis() / 2, "taken only when stale, after " + waited + " ms");
        assertTrue(successor.ownsName());
    }

    @Test
    void twoProcessesClaimingAtTheSameMomentCannotBothWin() throws Exception {
        int contenders = 6;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<NodeHeartbeat>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                results.add(pool.submit((Callable<NodeHeartbeat>) () -> {
                    go.await();
                    return claim("node-1");
                }));
            }
            go.countDown();
            int won = 0, refused = 0;
            for (Future<NodeHeartbeat> result : results) {
                try {
                    result.get();
                    won++;
                } catch (ExecutionException e) {
                    assertTrue(e.getCause() instanceof NodeHeartbeat.NameInUseException, e.getCause().toString());
                    refused++;
                }
            }
            assertEquals(1, won);
            assertEquals(contenders - 1, refused);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHeartbeatKeepsTheRowFreshAndItsInfoCurrent() throws Exception {
        NodeHeartbeat heartbeat = claim("node-1");
        heartbeat.update(new NodeHeartbeat.NodeInfo("node-1", "9.9", "ROUTER", 11112, 8081, "demo 1", "cpu"));
        Thread.sleep(STALE_AFTER.toMillis() * 2);
        assertTrue(heartbeat.ownsName());
        assertEquals("t", string("select heartbeat_at > now() - interval '1 second' from node where name = 'node-1'"));
        assertEquals("ROUTER 11112 8081 demo 1 cpu 9.9",
                string("select ae_title || ' ' || dicom_port || ' ' || http_port || ' ' || model || ' ' || provider || ' ' || version from node"));
    }

    private NodeHeartbeat claim(String name) throws Exception {
        NodeHeartbeat heartbeat = NodeHeartbeat.claim(database, new NodeHeartbeat.NodeInfo(name, "1", "AE", 104, 8080, "", ""), INTERVAL, STALE_AFTER);
        synchronized (heartbeats) {
            heartbeats.add(heartbeat);
        }
        return heartbeat;
    }

    /** The pid of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private void execute(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.executeUpdate();
        }
    }

    private String string(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
