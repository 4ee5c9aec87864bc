package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * Acknowledged instances whose rows the database lost (restored from a backup, failed over to a replica that
 * lagged): a restarted router, or {@code triage-router reconcile} on a stopped one, keeps their files in
 * orphans/, registers them again and reports their study. Real {@code serve} subprocesses, real PostgreSQL.
 */
class SpoolOrphansTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;

    @Test
    void filesTheDatabaseLostAreKeptInOrphansRegisteredAgainAndTheirStudyReported() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase(); // the router migrates it
        Path spool = work.resolve("spool");
        int dicomPort = RouterProcess.freePort(), httpPort = RouterProcess.freePort();
        Map<String, String> env = Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(), "TRIAGE_DATABASE_PASSWORD", db.password(),
                "TRIAGE_DICOM_PORT", String.valueOf(dicomPort), "TRIAGE_HTTP_PORT", String.valueOf(httpPort), "TRIAGE_SPOOL_DIR", spool.toString(),
                "TRIAGE_DICOM_BIND", "127.0.0.1", "TRIAGE_REPORT_GRACE_SECONDS", "1", "TRIAGE_NODE_NAME", "node-a");
        List<Path> images = SyntheticChestImages.writeSet(work.resolve("images"), 2, 400, 320, 17); // one study: PA and lateral
        InstanceHeader frontal = InstanceFiles.readHeader(images.get(0));
        String study = frontal.studyInstanceUid();
        String frontalUid = frontal.sopInstanceUid();
        String lateralUid = InstanceFiles.readHeader(images.get(1)).sopInstanceUid();
        Path frontalKept = spool.resolve("orphans").resolve(study).resolve(frontalUid + ".dcm");
        Path lateralKept = spool.resolve("orphans").resolve(study).resolve(lateralUid + ".dcm");

        try (RouterProcess router = RouterProcess.serve(Files.createDirectories(work.resolve("run-1")), env)) {
            send(images, dicomPort);
            awaitCount(db, "select count(*) from study_result", 1, router);
        }

        // The database is restored from before the frontal image arrived: its rows and all that came of them are gone.
        forgetInstance(db, frontalUid);
        try (RouterProcess router = RouterProcess.serve(Files.createDirectories(work.resolve("run-2")), env)) {
            String checked = router.awaitLine("spool checked:");
            assertTrue(checked.contains("0 partial transfer(s) removed, 1 unrecorded file(s) registered again from orphans/, "
                    + "0 unreadable and 0 duplicate file(s) kept in orphans/, 0 row(s) without a file"), checked);
            String warning = router.awaitLine("registered again as SOP Instance " + frontalUid);
            assertTrue(warning.contains(" WARN ") && warning.contains(frontalUid + ".dcm"), warning);
            assertEquals(Set.of(frontalKept, spool.resolve(study).resolve(lateralUid + ".dcm")), spoolFiles(spool), "nothing deleted");
            assertEquals(frontalKept.toString(), single(db, "select file_path from instance where sop_instance_uid = '" + frontalUid + "'"));
            // The study re-opens with the image back in it: a second result, with the image scored again.
            awaitCount(db, "select count(*) from study_result where revision = 2", 1, router);
            assertEquals("1", single(db, "select count(*) from score s join instance i on i.id = s.instance_id where i.sop_instance_uid = '"
                    + frontalUid + "'"));
            String metrics = get(httpPort, "/metrics");
            assertTrue(metrics.contains("triage_spool_orphans_total{outcome=\"reregistered\"} 1.0"), metrics);
            assertTrue(metrics.contains("triage_spool_orphans_total{outcome=\"unreadable\"} 0.0"), metrics);
            for (String line : router.output().lines().filter(l -> l.contains("SpoolReconciler")).toList()) {
                assertFalse(line.contains(frontal.patientId()) || line.contains(frontal.patientName()), "no patient name or ID: " + line);
            }

            // While a router holds the spool, the command refuses rather than race it.
            CommandResult busy = reconcile(env, "busy");
            assertEquals(2, busy.exitCode(), busy.output());
            assertTrue(busy.output().contains("is in use by another router process; stop that router first"), busy.output());
        }

        // Restored from before the study arrived at all; the router stays stopped and an operator reconciles by hand.
        forgetStudy(db, study);
        CommandResult reconciled = reconcile(env, "manual");
        assertEquals(0, reconciled.exitCode(), reconciled.output());
        assertTrue(reconciled.output().matches("(?s).*files without a row, registered again\\s+2 .*"), reconciled.output());
        assertTrue(reconciled.output().matches("(?s).*unreadable files kept in orphans/\\s+0\n.*"), reconciled.output());
        assertEquals(Set.of(frontalKept, lateralKept), spoolFiles(spool), "both files in orphans/, nothing deleted");
        assertEquals(new TreeSet<>(List.of(frontalKept.toString(), lateralKept.toString())), strings(db, "select file_path from instance"));
        assertEquals(new TreeSet<>(List.of(frontalUid, lateralUid)), strings(db, "select subject from job where kind = 'prepare' and state = 'queued'"));
        assertEquals("RECONCILE", single(db, "select distinct calling_ae_title from instance"));

        CommandResult again = reconcile(env, "again");
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().matches("(?s).*files without a row, registered again\\s+0 .*"), again.output());
        assertEquals("2", single(db, "select count(*) from job where kind = 'prepare'"),
                "a second run changes nothing: " + strings(db, "select kind || ' ' || subject from job"));
        assertEquals("2", single(db, "select count(*) from instance"));

        try (RouterProcess router = RouterProcess.serve(Files.createDirectories(work.resolve("run-3")), env)) {
            awaitCount(db, "select count(*) from study_result", 1, router);
        }
    }

    @Test
    void reconcileRefusesABadConfigurationAndAnUnreachableDatabase() throws Exception {
        Path spool = Files.createDirectories(work.resolve("spool"));
        CommandResult badConfig = reconcile(Map.of("TRIAGE_DATABASE_POOL_SIZE", "many", "TRIAGE_SPOOL_DIR", spool.toString()), "bad-config");
        assertEquals(2, badConfig.exitCode(), badConfig.output());
        assertTrue(badConfig.output().contains("triage-router reconcile: bad configuration: database.poolSize"), badConfig.output());

        int nobody = RouterProcess.freePort();
        CommandResult unreachable = reconcile(Map.of("TRIAGE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + nobody + "/triage",
                "TRIAGE_DATABASE_TIMEOUT_SECONDS", "1", "TRIAGE_SPOOL_DIR", spool.toString()), "unreachable");
        assertEquals(2, unreachable.exitCode(), unreachable.output());
        assertTrue(unreachable.output().contains("triage-router reconcile: database jdbc:postgresql://127.0.0.1:" + nobody + "/triage unavailable"),
                unreachable.output());

        CommandResult noSpool = reconcile(Map.of("TRIAGE_SPOOL_DIR", work.resolve("no-such-spool").toString()), "no-spool");
        assertEquals(2, noSpool.exitCode(), noSpool.output());
        assertTrue(noSpool.output().contains("does not exist"), noSpool.output());
    }

    record CommandResult(int exitCode, String output) {}

    private CommandResult reconcile(Map<String, String> env, String name) throws Exception {
        Path log = work.resolve("reconcile-" + name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "reconcile"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        builder.environment().putAll(new HashMap<>(env));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("reconcile did not finish: " + Files.readString(log));
        }
        return new CommandResult(process.exitValue(), Files.readString(log));
    }

    private static void send(List<Path> images, int port) throws Exception {
        List<Part10Meta> metas = new ArrayList<>();
        for (Path p : images) metas.add(Part10.readMeta(p));
        try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY"), new RemoteAe("TRIAGE", "127.0.0.1", port),
                ClientAssociation.contextsFor(metas))) {
            for (Path p : images) assertEquals(DimseStatus.SUCCESS, association.store(p, Priority.MEDIUM));
            association.release();
        }
    }

    /** An instance's rows and all that came of them, as a restore from before it arrived would have it. */
    private static void forgetInstance(DatabaseSettings db, String sopInstanceUid) throws Exception {
        String instance = "(select id from instance where sop_instance_uid = '" + sopInstanceUid + "')";
        execute(db, "delete from score where instance_id in " + instance,
                "delete from canonical_image where instance_id in " + instance,
                "delete from eligibility where instance_id in " + instance,
                "delete from job where subject = '" + sopInstanceUid + "'",
                "delete from instance where sop_instance_uid = '" + sopInstanceUid + "'");
    }

    /** A study's rows and all that came of them, as a restore from before it arrived would have it. */
    private static void forgetStudy(DatabaseSettings db, String studyInstanceUid) throws Exception {
        String studyId = "(select id from study where study_instance_uid = '" + studyInstanceUid + "')";
        String instances = "(select id from instance where study_id in " + studyId + ")";
        execute(db, "update study set latest_result_id = null where id in " + studyId,
                "delete from delivery where study_result_id in (select id from study_result where study_id in " + studyId + ")",
                "delete from study_result where study_id in " + studyId,
                "delete from score where instance_id in " + instances,
                "delete from canonical_image where instance_id in " + instances,
                "delete from eligibility where instance_id in " + instances,
                "delete from job where subject = '" + studyInstanceUid + "' or subject in (select sop_instance_uid from instance where study_id in "
                        + studyId + ")",
                "delete from association",
                "delete from instance where study_id in " + studyId,
                "delete from series where study_id in " + studyId,
                "delete from study where id in " + studyId);
    }

    private static void execute(DatabaseSettings db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            c.setAutoCommit(false);
            for (String sql : statements) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.executeUpdate();
                }
            }
            c.commit();
        }
    }

    private static void awaitCount(DatabaseSettings db, String sql, long expected, RouterProcess router) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (Long.parseLong(single(db, sql)) < expected && System.currentTimeMillis() < deadline) Thread.sleep(200);
        assertEquals(String.valueOf(expected), single(db, sql), router.output());
    }

    private static String single(DatabaseSettings db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static Set<String> strings(DatabaseSettings db, String sql) throws Exception {
        Set<String> values = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) values.add(rs.getString(1));
        }
        return values;
    }

    private static Set<Path> spoolFiles(Path spool) throws Exception {
        try (Stream<Path> walk = Files.walk(spool)) {
            return new java.util.HashSet<>(walk.filter(p -> p.toString().endsWith(".dcm")).toList());
        }
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
