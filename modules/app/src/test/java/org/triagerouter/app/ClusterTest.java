package org.triagerouter.app;

import static org.triagerouter.app.PacsFixture.accepts;
import static org.triagerouter.app.PacsFixture.await;
import static org.triagerouter.app.PacsFixture.send;
import static org.triagerouter.app.PacsFixture.srFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.FreezableProxy;
import org.triagerouter.store.testing.PostgresExtension;
import org.triagerouter.store.testing.PrivatePostgres;

/**
 * Router processes sharing one PostgreSQL, with dcmtk's storescp as the PACS, under the faults a cluster
 * meets: a node killed for good, a PACS that accepts and never answers, a report sweep racing itself on
 * two nodes, a stop in the middle of work.
 */
class ClusterTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;
    DatabaseSettings db;
    final List<AutoCloseable> running = new ArrayList<>();
    final List<Process> peers = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void freshDatabase() { db = postgres.emptyDatabase(); } // the first router migrates it

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable r : running) r.close();
        for (Process p : peers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A node of the cluster: own name, ports, spool and model folder; the shared database and PACS. */
    record Node(String name, RouterProcess process, int dicomPort, int httpPort, Map<String, String> env) {}

    Node node(String name, int pacsPort, Map<String, String> extra) throws Exception {
        int dicomPort = RouterProcess.freePort(), httpPort = RouterProcess.freePort();
        Map<String, String> env = new HashMap<>(Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_NODE_NAME", name, "TRIAGE_DICOM_PORT", String.valueOf(dicomPort),
                "TRIAGE_HTTP_PORT", String.valueOf(httpPort), "TRIAGE_SPOOL_DIR", work.resolve("spool-" + name).toString(),
                "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_DEMO_MODEL_DIR", work.resolve("model-" + name).toString()));
        env.putAll(Map.of("TRIAGE_DESTINATIONS", "pacs=PACS@127.0.0.1:" + pacsPort, "TRIAGE_REPORT_GRACE_SECONDS", "0",
                "TRIAGE_CLUSTER_LEASE_SECONDS", "5", "TRIAGE_DISPATCH_RETRY_SECONDS", "1", "TRIAGE_DISPATCH_MAX_RETRY_SECONDS", "2"));
        env.putAll(extra);
        RouterProcess process = RouterProcess.serve(work, name + "-" + System.nanoTime() + ".log", env);
        running.add(process);
        return new Node(name, process, dicomPort, httpPort, env);
    }

    @Test
    void aLostNodesImageFailsVisiblyTheStudyIsReportedElsewhereAndARetryRevisesIt() throws Exception {
        int pacsPort = RouterProcess.freePort();
        Path pacs = startStorescp(pacsPort);
        Map<String, String> lostAfter20s = Map.of("TRIAGE_CLUSTER_NODE_LOST_SECONDS", "20");
        Node b = node("node-b", pacsPort, lostAfter20s);
        Map<String, String> noPrepare = new HashMap<>(lostAfter20s);
        noPrepare.put("TRIAGE_PREPARE_WORKERS", "0"); // its image is still waiting for prepare when it dies
        Node a = node("node-a", pacsPort, noPrepare);

        String study = Uids.newUid(), series = Uids.newUid();
        Path onA = image(study, series, 11), onB = image(study, series, 12);
        String lostSop = InstanceFiles.readHeader(onA).sopInstanceUid();
        assertTrue(send(a.dicomPort(), List.of(onA)).get(0).isSuccess());
        assertTrue(send(b.dicomPort(), List.of(onB)).get(0).isSuccess());
        a.process().process.destroyForcibly(); // SIGKILL: node-a is gone with its spool
        long killedAt = System.nanoTime();

        await("the study reported by node-b", 90, () -> count("select count(*) from study_result r join study s on s.id = r.study_id "
                + "where s.study_instance_uid = '" + study + "'") == 1);
        assertTrue(System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(60), "reported within a minute of the loss");
        String reason = string("select status || ' ' || reason from study_result");
        assertTrue(reason.startsWith("REPORTED partial: 1 of 2 image(s) not analyzed: " + lostSop + " (node lost: node-a)"), reason);
        assertEquals("failed node lost: node-a", string("select state || ' ' || last_error from job where subject = '" + lostSop + "'"));
        String failures = get(b.httpPort(), "/api/failures");
        assertTrue(failures.contains("node lost: node-a") && failures.contains(lostSop), failures);
        await("the SR at the PACS", 30, () -> srFiles(pacs).size() == 1);
        String firstPriority = string("select priority from study_result where revision = 1");

        // node-a comes back with its spool; retrying its failed jobs re-opens the study, and a revision follows.
        Node back = node("node-a", pacsPort, lostAfter20s);
        CommandLineResult retry = cli(back.env(), "retry", "--node", "node-a");
        assertEquals(0, retry.exitCode(), retry.output());
        assertTrue(retry.output().contains("1 failed job of node node-a queued again"), retry.output());
        await("revision 2", 60, () -> count("select count(*) from study_result where revision = 2") == 1);
        assertEquals("REPORTED", string("select status from study_result where revision = 2"));
        assertTrue(string("select coalesce(reason, '') from study_result where revision = 2").isEmpty(), "every image analyzed now");
        String secondPriority = string("select priority from study_result where revision = 2");
        assertTrue(List.of("ROUTINE", "HIGH", "URGENT").indexOf(secondPriority) >= List.of("ROUTINE", "HIGH", "URGENT").indexOf(firstPriority),
                firstPriority + " then " + secondPriority);
        await("the revised SR at the PACS", 30, () -> srFiles(pacs).size() == 2);
    }

    @Test
    void twoNodesRacingTheirSweepsReportEveryStudyExactlyOnce() throws Exception {
        int pacsPort = RouterProcess.freePort();
        Path pacs = startStorescp(pacsPort);
        Map<String, String> fastSweep = Map.of("TRIAGE_REPORT_SWEEP_MS", "100", "TRIAGE_REPORT_WORKERS", "2");
        Node a = node("node-a", pacsPort, fastSweep);
        Node b = node("node-b", pacsPort, fastSweep);
        int studies = 200;
        List<Path> toA = new ArrayList<>(), toB = new ArrayList<>();
        for (int i = 0; i < studies; i++) (i % 2 == 0 ? toA : toB).add(image(Uids.newUid(), Uids.newUid(), 1000 + i));
        List<DimseStatus> statuses = new CopyOnWriteArrayList<>();
        Thread sendA = Thread.ofVirtual().start(() -> statuses.addAll(sendEachInItsOwnAssociation(a.dicomPort(), toA)));
        Thread sendB = Thread.ofVirtual().start(() -> statuses.addAll(sendEachInItsOwnAssociation(b.dicomPort(), toB)));
        sendA.join();
        sendB.join();
        assertEquals(studies, statuses.stream().filter(DimseStatus::isSuccess).count());

        await("every study delivered", 240, () -> count("select count(*) from delivery where state = 'delivered'") >= studies);
        Thread.sleep(3000); // a late duplicate would show up by now
        assertEquals(studies, count("select count(*) from study_result"), "one result per study");
        assertEquals(0, count("select count(*) from (select study_id, image_count from study_result group by 1, 2 having count(*) > 1) twins"),
                "no two revisions with the same image count");
        List<Path> srs = srFiles(pacs);
        assertEquals(studies, srs.size(), "exactly one SR per study at the PACS");
        Set<String> srStudies = new HashSet<>();
        for (Path sr : srs) srStudies.add(InstanceFiles.readHeader(sr).studyInstanceUid());
        assertEquals(studies, srStudies.size());
        assertEquals(0, count("select count(*) from job where state in ('queued', 'running') or lease_owner is not null"));
        assertEquals(2, count("select count(distinct node) from instance"), "both nodes received");
    }

    @Test
    void aPacsThatAcceptsAndNeverAnswersEndsDeliveredExactlyOnce() throws Exception {
        int pacsPort = RouterProcess.freePort();
        List<Socket> held = new CopyOnWriteArrayList<>();
        ServerSocket silent = new ServerSocket(pacsPort);
        Thread acceptor = Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never read from or answered
                } catch (IOException closed) {
                    return;
                }
            }
        });
        // Associations hang for 12 s, longer than the 5 s lease: the lease must live with the worker, not expire under it.
        Map<String, String> slow = Map.of("TRIAGE_DICOM_DIMSE_TIMEOUT_SECONDS", "12", "TRIAGE_DICOM_CONNECT_TIMEOUT_SECONDS", "12");
        Node a = node("node-a", pacsPort, slow);
        Node b = node("node-b", pacsPort, slow);
        assertTrue(send(a.dicomPort(), List.of(image(Uids.newUid(), Uids.newUid(), 77))).get(0).isSuccess());

        await("a dispatch job in hand", 60, () -> count("select count(*) from job where kind = 'dispatch' and state = 'running'") == 1);
        String owner = string("select lease_owner from job where kind = 'dispatch'");
        Thread.sleep(8000); // past the lease, still inside the hang
        assertEquals(owner, string("select lease_owner from job where kind = 'dispatch'"), "not taken over while its worker lives");
        assertEquals(1, count("select attempts from job where kind = 'dispatch'"));

        silent.close();
        for (Socket s : held) s.close();
        acceptor.join();
        await("the silent PACS's attempt recorded", 30, () -> count("select attempts from delivery") >= 1);
        Path pacs = startStorescp(pacsPort);
        await("delivered", 60, () -> "delivered".equals(string("select state from delivery")));
        long attempts = count("select attempts from delivery");
        Thread.sleep(6000);
        assertEquals("delivered", string("select state from delivery"), "never flips back");
        assertEquals(attempts, count("select attempts from delivery"));
        assertEquals(1, srFiles(pacs).size(), "stored once");
        assertEquals("done", string("select state from job where kind = 'dispatch'"));
        assertTrue(a.process().process.isAlive() && b.process().process.isAlive());
    }

    @Test
    void sigtermTurnsReadinessFirstFinishesOrHandsBackItsJobsAndExitsZero() throws Exception {
        int pacsPort = RouterProcess.freePort();
        startStorescp(pacsPort);
        Node a = node("node-a", pacsPort, Map.of("TRIAGE_SHUTDOWN_GRACE_SECONDS", "10"));
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 24; i++) images.add(image(Uids.newUid(), Uids.newUid(), 300 + i, 1500));
        List<DimseStatus> statuses = send(a.dicomPort(), images);
        assertEquals(24, statuses.stream().filter(DimseStatus::isSuccess).count());
        await("work in flight", 30, () -> count("select count(*) from job where state = 'running'") > 0
                || count("select count(*) from job where state = 'done'") > 0);

        // Watch readiness and the DICOM port side by side while the router stops.
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            String last = "";
            while (a.process().process.isAlive()) {
                String now = readiness(a.httpPort()) + " dicom " + (accepts(a.dicomPort()) ? "open" : "closed");
                if (!now.equals(last)) seen.add(last = now);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        a.process().process.destroy(); // SIGTERM
        assertTrue(a.process().process.waitFor(30, TimeUnit.SECONDS), "stopped");
        double seconds = (System.nanoTime() - start) / 1e9;
        watcher.join();
        assertEquals(0, a.process().process.exitValue(), a.process().output());
        assertTrue(seconds < 10 + 5, "within the grace: " + seconds + " s");
        assertTrue(seen.contains("503 dicom open"), "readiness 503 while the DICOM port still answers: " + seen);
        assertEquals(0, count("select count(*) from job where state = 'running' or lease_owner is not null"), "no job left leased");
        assertEquals(24, count("select count(*) from instance"), "nothing acknowledged lost");
        String log = a.process().output();
        assertTrue(log.indexOf("readiness 503") < log.indexOf("DICOM listener closed"), log);
        assertTrue(log.contains("Triage Router stopped"), log);
    }

    @Test
    void aRouterFrozenInTheMiddleOfIngestDoesNotBlockItsStudyOnTheOtherNode() throws Exception {
        int pacsPort = RouterProcess.freePort();
        startStorescp(pacsPort);
        // node-a reaches PostgreSQL through a relay that can hold its traffic: the moment it is frozen can then be chosen exactly.
        int databasePort = Integer.parseInt(db.url().replaceAll(".*:(\\d+)/.*", "$1"));
        FreezableProxy relay = new FreezableProxy(databasePort);
        running.add(relay);
        Node a = node("node-a", pacsPort, Map.of("TRIAGE_DATABASE_URL", db.url().replace(":" + databasePort + "/", ":" + relay.port() + "/")));
        Node b = node("node-b", pacsPort, Map.of());
        String study = Uids.newUid(), series = Uids.newUid();
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) images.add(image(study, series, 500 + i, 512));
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                send(a.dicomPort(), images);
            } catch (Exception expected) {
                // node-a is frozen under it
            }
        });
        // Wanted: node-a inside an ingest transaction that holds the study's row lock. Seen, its traffic is held (so its
        // session cannot move on), checked again, and the process frozen; a miss lets the traffic through and looks again.
        boolean frozenHoldingTheStudy = false;
        try (Connection watch = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!frozenHoldingTheStudy && sender.isAlive() && System.nanoTime() < deadline) {
                if (!holdsTheStudyInATransaction(watch, "node-a")) continue;
                relay.pauseClients();
                if (holdsTheStudyInATransaction(watch, "node-a")) {
                    a.process().signal("STOP");
                    frozenHoldingTheStudy = true;
                } else {
                    relay.resumeClients();
                }
            }
        }
        assertTrue(frozenHoldingTheStudy, "caught node-a inside an ingest transaction");
        try {
            long start = System.nanoTime();
            DimseStatus status = send(b.dicomPort(), List.of(image(study, series, 999, 256))).get(0);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(status.isSuccess(), "node-b stores a further instance of the same study: " + status);
            assertTrue(seconds < 90, "within 90 s: " + seconds);
            assertEquals(1, count("select count(*) from instance where node = 'node-b'"));
        } finally {
            a.process().signal("CONT");
            relay.resumeClients();
        }
    }

    /** Is a session of {@code node} idle inside a transaction that has written the study table (its ingest, between insert and commit)? */
    private static boolean holdsTheStudyInATransaction(Connection watch, String node) throws SQLException {
        try (ResultSet rs = watch.createStatement().executeQuery("select 1 from pg_stat_activity a join pg_locks l on l.pid = a.pid "
                + "where a.application_name = 'triage-router " + node + "' and a.state = 'idle in transaction' "
                + "and l.relation = 'study'::regclass and l.granted")) {
            return rs.next();
        }
    }

    @Test
    @PrivatePostgres // restarted under both routers: the other classes' server must not go down with it
    void bothRoutersRecoverFromAPostgresRestartWithWakeUpsBack() throws Exception {
        int pacsPort = RouterProcess.freePort();
        startStorescp(pacsPort);
        Node a = node("node-a", pacsPort, Map.of());
        Node b = node("node-b", pacsPort, Map.of());
        assertTrue(send(a.dicomPort(), List.of(image(Uids.newUid(), Uids.newUid(), 601))).get(0).isSuccess());
        assertTrue(send(b.dicomPort(), List.of(image(Uids.newUid(), Uids.newUid(), 602))).get(0).isSuccess());
        await("both studies delivered", 60, () -> count("select count(*) from delivery where state = 'delivered'") == 2);

        postgres.privateServer().restartServer(); // every session of both routers ends, their pools and listeners included
        long after = System.currentTimeMillis();
        for (int i = 0; i < 6; i++) {
            Node to = i % 2 == 0 ? a : b;
            Path file = image(Uids.newUid(), Uids.newUid(), 610 + i);
            await("a C-STORE answered success after the restart", 30, () -> stored(to.dicomPort(), file));
        }
        await("every study delivered, without restarting a router", 90, () -> count("select count(*) from delivery where state = 'delivered'") == 8);
        // Wake-ups are back: each image went from prepare to a finished score well inside the 2 s poll interval.
        String handOffs = string("select string_agg(round(extract(epoch from finished_at - created_at)::numeric, 2)::text, ' ') from job "
                + "where kind = 'infer' and created_at > to_timestamp(" + after / 1000.0 + ")");
        assertEquals(6, handOffs.split(" ").length, handOffs);
        for (String seconds : handOffs.split(" ")) assertTrue(Double.parseDouble(seconds) < 1.0, "prepare to scored in under 1 s: " + handOffs);
        assertTrue(a.process().process.isAlive() && b.process().process.isAlive());
    }

    // ---- helpers ----

    private Path startStorescp(int port) throws Exception {
        Path out = work.resolve("pacs-" + port);
        peers.add(PacsFixture.startStorescp(port, out, work.resolve("storescp-" + port + ".log")));
        return out;
    }

    private Path image(String study, String series, long seed) throws IOException { return image(study, series, seed, 256); }

    private Path image(String study, String series, long seed, int size) throws IOException {
        return PacsFixture.image(work.resolve("images"), study, series, seed, size);
    }

    /** One C-STORE; false when it fails in any way (for retrying while the database comes back). */
    private static boolean stored(int port, Path file) {
        try {
            return send(port, List.of(file)).get(0).isSuccess();
        } catch (Exception e) {
            return false;
        }
    }

    private static List<DimseStatus> sendEachInItsOwnAssociation(int port, List<Path> files) {
        List<DimseStatus> statuses = new ArrayList<>();
        for (Path f : files) {
            try {
                statuses.addAll(send(port, List.of(f)));
            } catch (Exception e) {
                throw new AssertionError("send " + f + ": " + e, e);
            }
        }
        return statuses;
    }

    record CommandLineResult(int exitCode, String output) {}

    private CommandLineResult cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(work, "cli-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new CommandLineResult(p.exitValue(), Files.readString(log));
    }

    private String readiness(int port) {
        try {
            return String.valueOf(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(java.time.Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (Exception e) {
            return "down";
        }
    }

    private String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private String string(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
