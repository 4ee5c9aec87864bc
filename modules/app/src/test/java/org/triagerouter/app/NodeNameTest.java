package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/** A node name is unique among live routers: a second {@code serve} with a name whose heartbeat is live refuses to start. */
class NodeNameTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;

    @Test
    void aSecondRouterWithALiveRoutersNodeNameExitsWithTwoNamingTheNodeAndWhereItRuns() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase();
        Map<String, String> shared = Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_NODE_NAME", "ward-a", "TRIAGE_DICOM_BIND", "127.0.0.1");
        try (RouterProcess first = RouterProcess.serve(Files.createDirectories(work.resolve("first")), router(shared, "first"))) {
            RouterProcess second = RouterProcess.launch(Files.createDirectories(work.resolve("second")), router(shared, "second"));
            try {
                assertTrue(second.process.waitFor(60, TimeUnit.SECONDS), "the second router gives up: " + second.output());
                String output = second.output();
                assertEquals(2, second.process.exitValue(), output);
                String host = InetAddress.getLocalHost().getHostName();
                assertTrue(output.contains("triage-router: node name 'ward-a' is in use by a live router (host " + host + ", pid "
                        + first.process.pid() + ", heartbeat "), output);
                assertTrue(output.contains("set node.name / TRIAGE_NODE_NAME to a unique name"), output);
                assertFalse(output.contains("Triage Router ready"), output);
                assertFalse(output.contains("spool checked"), "nothing of the node ran before its name was claimed: " + output);
            } finally {
                second.close();
            }
            assertTrue(first.process.isAlive(), "the first router runs on: " + first.output());
        }
        // The first stopped cleanly and released the name: a router with it starts at once.
        long start = System.nanoTime();
        try (RouterProcess third = RouterProcess.serve(Files.createDirectories(work.resolve("third")), router(shared, "third"))) {
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertFalse(third.output().contains("waiting to see whether it still beats"), third.output());
            assertTrue(seconds < 60, "ready after " + seconds + " s");
        }
    }

    @Test
    void aRouterRestartedOnTheSameHostAfterACrashTakesItsNameBackAtOnce() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase();
        Map<String, String> shared = Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_NODE_NAME", "ward-b", "TRIAGE_DICOM_BIND", "127.0.0.1");
        Map<String, String> env = router(shared, "crashing");
        RouterProcess crashed = RouterProcess.serve(Files.createDirectories(work.resolve("crashing")), env);
        long pid = crashed.process.pid();
        crashed.process.destroyForcibly(); // SIGKILL: nothing released, the heartbeat is fresh
        assertTrue(crashed.process.waitFor(20, TimeUnit.SECONDS));
        Files.move(crashed.log, work.resolve("crashing/serve-crashed.log"));
        try (RouterProcess restarted = RouterProcess.serve(work.resolve("crashing"), env)) {
            assertTrue(restarted.output().contains("node name 'ward-b' was held by pid " + pid + " on this host, which is gone: taken over"),
                    restarted.output());
        }
    }

    private Map<String, String> router(Map<String, String> shared, String name) throws Exception {
        Map<String, String> env = new HashMap<>(shared);
        env.put("TRIAGE_DICOM_PORT", String.valueOf(RouterProcess.freePort()));
        env.put("TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()));
        env.put("TRIAGE_SPOOL_DIR", work.resolve(name).resolve("spool").toString());
        return env;
    }
}
