package org.triagerouter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * The spool reconciler against real PostgreSQL, after instances were stored through the ingest stage: what
 * the database lost (a restore, a failover) is kept in orphans/ and registered again, never deleted.
 */
class SpoolReconcilerTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    @TempDir
    static Path imageRoot;
    static List<Path> images;

    @TempDir
    Path work;
    Database database;
    DicomServer server;
    IngestSettings settings;

    static final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        Metrics.addRegistry(meters);
        images = SyntheticChestImages.writeSet(imageRoot.resolve("images"), 10, 300, 256, 47);
    }

    @AfterAll
    static void stop() throws Exception {
        Metrics.removeRegistry(meters);
    }

    @BeforeEach
    void router() throws Exception {
        database = postgres.database();
        settings = new IngestSettings(work.resolve("spool"), 0, "node-a");
        ServerSettings scp = new ServerSettings("TRIAGE", "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 8, Duration.ofSeconds(10), Duration.ofSeconds(30), settings.incoming(), null);
        server = new DicomServer(scp, new DurableStoreHandler(database, settings));
        server.start();
    }

    @AfterEach
    void close() { server.close(); }

    @Test
    void aFileWhoseRowWasLostIsKeptInOrphansAndRegisteredAgainOnce() throws Exception {
        store(images.subList(0, 2));
        String lostUid = Part10.readMeta(images.get(0)).sopInstanceUid();
        Path lost = fileOf(lostUid);
        byte[] content = Files.readAllBytes(lost);
        String study = lost.getParent().getFileName().toString();
        forgetInstance(lostUid); // what a restore from before it arrived looks like
        double reregisteredBefore = orphanCounter("reregistered");

        SpoolReconciler.Result first = new SpoolReconciler(database, settings).reconcile();

        assertEquals(new SpoolReconciler.Result(0, 1, 0, 0, 0), first);
        Path kept = settings.orphans().resolve(study).resolve(lostUid + ".dcm");
        assertTrue(Files.notExists(lost), "moved out of its study folder");
        assertEquals(List.of(kept), spoolFiles().stream().filter(p -> p.startsWith(settings.orphans())).toList());
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(kept)), "the file itself is untouched");
        assertEquals(2, spoolFiles().size(), "nothing deleted");
        assertEquals(kept.toString(), string("select file_path from instance where sop_instance_uid = ?", lostUid));
        assertEquals("node-a|RECONCILE|MEDIUM|" + Files.size(kept), string(
                "select node || '|' || calling_ae_title || '|' || priority || '|' || file_size from instance where sop_instance_uid = ?", lostUid));
        assertEquals("queued|node-a", string("select state || '|' || node from job where kind = 'prepare' and subject = ?", lostUid));
        assertEquals(study, string("select st.study_instance_uid from study st join instance i on i.study_id = st.id where i.sop_instance_uid = ?", lostUid));
        assertEquals("RECONCILE|true|1", string("select a.calling_ae_title || '|' || a.released || '|' || a.instance_count from association a "
                + "join instance i on i.association_id = a.id where i.sop_instance_uid = ?", lostUid));
        assertEquals(1.0, orphanCounter("reregistered") - reregisteredBefore);

        SpoolReconciler.Result second = new SpoolReconciler(database, settings).reconcile();

        assertEquals(new SpoolReconciler.Result(0, 0, 0, 0, 0), second, "a second run finds nothing to do");
        assertTrue(Files.exists(kept));
        assertEquals(2, spoolFiles().size());
        assertEquals(2, count("select count(*) from instance"));
        assertEquals(2, count("select count(*) from job where kind = 'prepare'"));
        assertEquals(1, count("select count(*) from association where calling_ae_title = 'RECONCILE'"));
    }

    @Test
    void aFileLeftInOrphansWithoutItsRowIsRegisteredWhereItIs() throws Exception {
        store(images.subList(0, 1));
        String uid = Part10.readMeta(images.get(0)).sopInstanceUid();
        new SpoolReconciler(database, settings).reconcile(); // nothing to do yet
        Path original = fileOf(uid);
        // A crash between the move to orphans/ and the commit: the file is there, its row is not.
        Path kept = settings.orphans().resolve(settings.spool().relativize(original));
        Files.createDirectories(kept.getParent());
        Files.move(original, kept);
        forgetInstance(uid);

        assertEquals(new SpoolReconciler.Result(0, 1, 0, 0, 0), new SpoolReconciler(database, settings).reconcile());
        assertEquals(kept.toString(), string("select file_path from instance where sop_instance_uid = ?", uid));
        assertEquals(List.of(kept), spoolFiles());
    }

    @Test
    void anUnreadableSpoolFileStaysInOrphansAndIsCountedUnreadable() throws Exception {
        store(images.subList(0, 1));
        Path studyFolder = spoolFiles().get(0).getParent();
        Path junk = Files.writeString(studyFolder.resolve("2.25.999.dcm"), "not a DICOM file, no row knows it");
        Path partial = Files.writeString(settings.incoming().resolve("rx-1.part"), "partial");
        double unreadableBefore = orphanCounter("unreadable");

        SpoolReconciler.Result first = new SpoolReconciler(database, settings).reconcile();

        assertEquals(new SpoolReconciler.Result(1, 0, 1, 0, 0), first);
        Path kept = settings.orphans().resolve(settings.spool().relativize(junk));
        assertTrue(Files.notExists(junk));
        assertEquals("not a DICOM file, no row knows it", Files.readString(kept), "kept, never deleted");
        assertTrue(Files.notExists(partial), "a partial transfer was never acknowledged: removed");
        assertEquals(1, count("select count(*) from instance"));
        assertEquals(0, count("select count(*) from association where calling_ae_title = 'RECONCILE'"));

        // Still there on the next run, and reported again: it waits for an operator.
        assertEquals(new SpoolReconciler.Result(0, 0, 1, 0, 0), new SpoolReconciler(database, settings).reconcile());
        assertTrue(Files.exists(kept));
        assertEquals(2.0, orphanCounter("unreadable") - unreadableBefore);
    }

    @Test
    void aCopyOfARecordedInstanceUnderAnotherNameIsKeptAsADuplicate() throws Exception {
        store(images.subList(0, 1));
        Path recorded = spoolFiles().get(0);
        Path copy = recorded.getParent().resolve("2.25.1234.dcm");
        Files.copy(recorded, copy);

        assertEquals(new SpoolReconciler.Result(0, 0, 0, 1, 0), new SpoolReconciler(database, settings).reconcile());

        assertTrue(Files.exists(recorded));
        assertTrue(Files.notExists(copy));
        assertTrue(Files.exists(settings.orphans().resolve(settings.spool().relativize(copy))));
        assertEquals(1, count("select count(*) from instance"));
        assertEquals(recorded.toString(), string("select file_path from instance", null));
    }

    @Test
    void filesWhoseRowsNameAnotherNodeAreNotTakenForOrphans() throws Exception {
        store(images.subList(0, 1));
        Path stored = spoolFiles().get(0);
        // The host was renamed: this node's name changed, its spool did not.
        IngestSettings renamed = new IngestSettings(settings.spool(), 0, "node-renamed");
        assertEquals(new SpoolReconciler.Result(0, 0, 0, 0, 0), new SpoolReconciler(database, renamed).reconcile());
        assertEquals(List.of(stored), spoolFiles(), "an acknowledged file stays where it is");
    }

    /**
     * The same instances arrive at another node sharing the database while two reconcilers race over the files this
     * node's rows were lost for. (On one node, serve reconciles before it listens, and holds the spool lock.)
     */
    @Test
    void reconcilingWhileAnotherNodeReceivesTheSameInstancesLeavesOneRowAndOneJobEachAndDeletesNothing() throws Exception {
        List<Path> sent = images.subList(0, 4);
        store(sent, server.port());
        List<String> uids = new ArrayList<>();
        for (Path p : sent) uids.add(Part10.readMeta(p).sopInstanceUid());
        for (String uid : uids) forgetInstance(uid);
        IngestSettings nodeB = new IngestSettings(work.resolve("spool-b"), 0, "node-b");
        ServerSettings scpB = new ServerSettings("TRIAGE", "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 8, Duration.ofSeconds(10), Duration.ofSeconds(30), nodeB.incoming(), null);

        ExecutorService pool = Executors.newFixedThreadPool(3);
        SpoolReconciler.Result a, b;
        try (DicomServer serverB = new DicomServer(scpB, new DurableStoreHandler(database, nodeB))) {
            serverB.start();
            Future<?> resend = pool.submit(() -> {
                store(sent, serverB.port());
                return null;
            });
            Future<SpoolReconciler.Result> first = pool.submit(() -> new SpoolReconciler(database, settings).reconcile());
            Future<SpoolReconciler.Result> second = pool.submit(() -> new SpoolReconciler(database, settings).reconcile());
            resend.get();
            a = first.get();
            b = second.get();
        } finally {
            pool.shutdown();
        }
        long onB = count("select count(*) from instance where node = 'node-b'");
        assertEquals(new TreeSet<>(uids), strings("select sop_instance_uid from instance"), "one row per instance");
        assertEquals(new TreeSet<>(uids), strings("select subject from job where kind = 'prepare'"));
        assertEquals(4, count("select count(*) from job"), "one prepare job per instance");
        for (String path : strings("select file_path from instance")) assertTrue(Files.exists(Path.of(path)), path);
        assertEquals(4 - onB, a.orphansReregistered() + b.orphansReregistered(), a + " " + b);
        // Two runs on one spool may both report a kept file (one saw it before the other moved it): at least once each.
        assertTrue(a.orphansDuplicate() + b.orphansDuplicate() >= onB, "what node B registered first is kept here as a duplicate: " + a + " " + b);
        assertEquals(0, a.orphansUnreadable() + b.orphansUnreadable());
        assertEquals(4, spoolFiles().size(), "nothing deleted from this node's spool");
        // Kept duplicates are named by a SOP Instance UID that now has a row (on node B): later runs leave them be, unreported.
        assertEquals(new SpoolReconciler.Result(0, 0, 0, 0, 0), new SpoolReconciler(database, settings).reconcile());
        assertEquals(4, spoolFiles().size());
    }

    private void store(List<Path> files) throws IOException { store(files, server.port()); }

    private static void store(List<Path> files, int port) throws IOException {
        List<Part10Meta> metas = new ArrayList<>();
        for (Path p : files) metas.add(Part10.readMeta(p));
        try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY"),
                new RemoteAe("TRIAGE", "127.0.0.1", port), ClientAssociation.contextsFor(metas))) {
            for (Path p : files) assertEquals(DimseStatus.SUCCESS, association.store(p, Priority.MEDIUM));
            association.release();
        }
    }

    /** Deletes an instance's row and its jobs, as a restore from before it arrived would have it. */
    private void forgetInstance(String sopInstanceUid) throws SQLException {
        try (Connection c = database.connection()) {
            for (String sql : List.of("delete from job where subject = ?", "delete from instance where sop_instance_uid = ?")) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.setString(1, sopInstanceUid);
                    s.executeUpdate();
                }
            }
        }
    }

    private Path fileOf(String sopInstanceUid) throws IOException {
        return spoolFiles().stream().filter(p -> p.getFileName().toString().equals(sopInstanceUid + ".dcm")).findFirst().orElseThrow();
    }

    private static double orphanCounter(String outcome) {
        var counter = meters.find("triage.spool.orphans").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(settings.spool())) {
            return walk.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql, String parameter) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), sql);
                return rs.getString(1);
            }
        }
    }

    private Set<String> strings(String sql) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) values.add(rs.getString(1));
        }
        return values;
    }
}
