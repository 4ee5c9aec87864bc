package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.file.InstanceFiles;
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
 * SIGKILL the router (a real subprocess) in the middle of a large send: nothing acknowledged may be
 * lost, and after a restart the spool holds exactly the files the database knows (a file renamed into the
 * spool whose commit the kill cut off is kept in orphans/ and registered again, so it has a row too).
 */
class CrashSafetyTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;

    @Test
    void killingTheRouterMidSendLosesNothingAcknowledgedAndLeavesNoOrphans() throws Exception {
        DatabaseSettings db = postgres.emptyDatabase(); // the router migrates it
        List<Path> images = SyntheticChestImages.writeSet(work.resolve("images"), 16, 2500, 2048, 77);
        List<Part10Meta> metas = new ArrayList<>();
        for (Path p : images) metas.add(Part10.readMeta(p));
        int dicomPort = RouterProcess.freePort();
        Map<String, String> env = new HashMap<>(Map.of("TRIAGE_DATABASE_URL", db.url(), "TRIAGE_DATABASE_USER", db.user(),
                "TRIAGE_DATABASE_PASSWORD", db.password(), "TRIAGE_DICOM_PORT", String.valueOf(dicomPort),
                "TRIAGE_HTTP_PORT", String.valueOf(RouterProcess.freePort()), "TRIAGE_SPOOL_DIR", work.resolve("spool").toString(),
                "TRIAGE_SPOOL_MIN_FREE_MB", "0", "TRIAGE_DICOM_BIND", "127.0.0.1"));
        Set<String> acknowledged = new TreeSet<>();
        int next = 0;
        for (int crash = 1; crash <= 2; crash++) {
            Process router = startRouter(env, work.resolve("router-" + crash + ".log"));
            List<String> acks = new CopyOnWriteArrayList<>();
            int from = next;
            Thread sender = Thread.ofVirtual().start(() -> {
                try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY"),
                        new RemoteAe("TRIAGE", "127.0.0.1", dicomPort), ClientAssociation.contextsFor(metas))) {
                    for (int i = from; i < images.size(); i++) {
                        DimseStatus status = association.store(images.get(i), Priority.MEDIUM);
                        if (status.isSuccess()) acks.add(metas.get(i).sopInstanceUid());
                    }
                } catch (IOException expected) {
                    // The router died under us.
                }
            });
            long deadline = System.currentTimeMillis() + 60_000;
            while (acks.size() < 4 && sender.isAlive() && System.currentTimeMillis() < deadline) Thread.sleep(1);
            router.destroyForcibly(); // SIGKILL, while the next instance is on the wire
            assertTrue(router.waitFor(10, TimeUnit.SECONDS));
            sender.join(30_000);
            assertTrue(acks.size() >= 4 && acks.size() < images.size() - from, "killed mid-send, after " + acks.size() + " acknowledgements");
            acknowledged.addAll(acks);
            next = from + acks.size() + 1;

            // Everything acknowledged is in the database with a complete file, before any restart.
            Map<String, String> rows = rows(db);
            for (String uid : acknowledged) {
                assertTrue(rows.containsKey(uid), "acknowledged " + uid + " has no row");
                Path file = Path.of(rows.get(uid));
                Part10Meta meta = Part10.readMeta(file);
                assertEquals(uid, InstanceFiles.validate(file, meta.dataSetOffset(), meta.transferSyntaxUid()).sopInstanceUid());
            }
        }
        // A restart reconciles: the spool then holds exactly the files the database knows (orphans/ included), and nothing in flight.
        Process router = startRouter(env, work.resolve("router-final.log"));
        try {
            Map<String, String> rows = rows(db);
            Set<String> files = new TreeSet<>();
            try (Stream<Path> walk = Files.walk(work.resolve("spool"))) {
                walk.filter(p -> p.toString().endsWith(".dcm")).forEach(p -> files.add(p.toString()));
            }
            assertEquals(new TreeSet<>(rows.values()), files);
            try (Stream<Path> incoming = Files.list(work.resolve("spool/incoming"))) {
                assertEquals(0, incoming.count());
            }
            assertTrue(rows.keySet().containsAll(acknowledged));
            assertEquals(rows.size(), count(db, "select count(*) from job where kind = 'prepare'"));
        } finally {
            router.destroy();
            router.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process startRouter(Map<String, String> env, Path log) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.readString(log).contains("Triage Router ready")) return process;
            if (!process.isAlive()) throw new AssertionError("router exited: " + Files.readString(log));
            Thread.sleep(50);
        }
        throw new AssertionError("router not ready: " + Files.readString(log));
    }

    private static Map<String, String> rows(DatabaseSettings db) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             PreparedStatement s = c.prepareStatement("select sop_instance_uid, file_path from instance");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) rows.put(rs.getString(1), rs.getString(2));
        }
        return rows;
    }

    private static long count(DatabaseSettings db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
