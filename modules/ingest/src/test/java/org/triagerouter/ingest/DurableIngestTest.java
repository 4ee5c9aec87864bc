package org.triagerouter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.triagerouter.store.testing.PrivatePostgres;

/** The ingest stage against real PostgreSQL and real dcmtk. */
class DurableIngestTest {
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

    @BeforeAll
    static void images() throws Exception {
        images = SyntheticChestImages.writeSet(imageRoot.resolve("images"), 20, 625, 512, 31);
    }

    @BeforeEach
    void router() throws Exception {
        database = postgres.database();
        startRouter(0);
    }

    void startRouter(long minFreeBytes) throws IOException {
        if (server != null) server.close();
        settings = new IngestSettings(work.resolve("spool"), minFreeBytes, "node-a");
        ServerSettings scp = new ServerSettings("TRIAGE", "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 8, Duration.ofSeconds(10), Duration.ofSeconds(30), settings.incoming(), null);
        server = new DicomServer(scp, new DurableStoreHandler(database, settings));
        server.start();
    }

    @AfterEach
    void close() { server.close(); }

    @Test
    void twentyImagesBecomeTwentyRowsFilesAndJobsAndSendingThemAgainAddsNothing() throws Exception {
        for (int round = 1; round <= 2; round++) {
            List<String> command = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1",
                    String.valueOf(server.port())));
            images.forEach(p -> command.add(p.toString()));
            Process storescu = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(storescu.getInputStream().readAllBytes());
            assertTrue(storescu.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, storescu.exitValue(), "round " + round + ": " + output);

            Set<String> sent = new TreeSet<>();
            for (Path p : images) sent.add(Part10.readMeta(p).sopInstanceUid());
            assertEquals(sent, strings("select sop_instance_uid from instance"), "round " + round);
            assertEquals(sent, strings("select subject from job where kind = 'prepare' and state = 'queued'"), "round " + round);
            assertEquals(20, count("select count(*) from job"));
            Set<String> filed = new TreeSet<>();
            for (Path f : spoolFiles()) filed.add(f.getFileName().toString().replace(".dcm", ""));
            assertEquals(sent, filed, "round " + round);
            assertEquals(10, count("select count(*) from study"), "two views per study");
            assertEquals(0, count("select count(*) from instance i where not exists (select 1 from series s where s.id = i.series_id)"));
        }
        waitForAssociations(2);
        assertEquals(2, count("select count(*) from association where released and instance_count = 20 and calling_ae_title = 'MODALITY'"));
        for (String path : strings("select file_path from instance")) assertTrue(Files.exists(Path.of(path)), path);
        assertEquals("MODALITY", strings("select distinct calling_ae_title from instance").iterator().next());
    }

    @Test
    @PrivatePostgres
    void databaseOutageAnswersFailureAndServiceResumesWhenItIsBack() throws Exception {
        try (ClientAssociation association = open()) {
            for (int i = 0; i < 3; i++) assertEquals(DimseStatus.SUCCESS, association.store(images.get(i), Priority.MEDIUM));
            association.release();
        }
        postgres.privateServer().stopServer();
        try {
            try (ClientAssociation association = open()) {
                for (int i = 3; i < 6; i++) {
                    DimseStatus status = association.store(images.get(i), Priority.MEDIUM);
                    assertEquals(DimseStatus.OUT_OF_RESOURCES, status.code(), status.toString());
                }
                association.release();
            }
            assertEquals(3, spoolFiles().size(), "no file kept for a refused instance");
            assertEquals(0, leftoverIncoming());
        } finally {
            postgres.privateServer().startServer();
        }
        long deadline = System.currentTimeMillis() + 30_000;
        DimseStatus first;
        do {
            try (ClientAssociation association = open()) {
                first = association.store(images.get(3), Priority.MEDIUM);
                association.release();
            }
        } while (!first.isSuccess() && System.currentTimeMillis() < deadline && sleep(500));
        assertEquals(DimseStatus.SUCCESS, first, "service resumes after PostgreSQL restarts");
        try (ClientAssociation association = open()) {
            for (int i = 4; i < 6; i++) assertEquals(DimseStatus.SUCCESS, association.store(images.get(i), Priority.MEDIUM));
            association.release();
        }
        assertEquals(6, count("select count(*) from instance"));
        assertEquals(6, spoolFiles().size());
    }

    @Test
    void spoolBelowItsFreeSpaceFloorRefusesWithA700() throws Exception {
        startRouter(Long.MAX_VALUE);
        try (ClientAssociation association = open()) {
            DimseStatus status = association.store(images.get(0), Priority.MEDIUM);
            assertEquals(DimseStatus.OUT_OF_RESOURCES, status.code());
            assertTrue(status.comment().contains("free-space floor"), status.comment());
            association.release();
        }
        assertEquals(0, count("select count(*) from instance"));
        assertEquals(0, spoolFiles().size());
        assertEquals(0, leftoverIncoming());
    }

    @Test
    void theSameInstanceSentConcurrentlyIsStoredOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<DimseStatus>>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(() -> {
                List<DimseStatus> statuses = new ArrayList<>();
                try (ClientAssociation association = open()) {
                    for (int i = 0; i < 5; i++) statuses.add(association.store(images.get(0), Priority.MEDIUM));
                    association.release();
                }
                return statuses;
            }));
        }
        for (Future<List<DimseStatus>> f : results) {
            for (DimseStatus s : f.get()) assertEquals(DimseStatus.SUCCESS, s);
        }
        pool.shutdown();
        assertEquals(1, count("select count(*) from instance"));
        assertEquals(1, count("select count(*) from job"));
        assertEquals(1, spoolFiles().size());
        assertEquals(0, leftoverIncoming());
    }

    @Test
    void highPriorityRequestsQueueUrgentPrepareJobs() throws Exception {
        try (ClientAssociation association = open()) {
            assertEquals(DimseStatus.SUCCESS, association.store(images.get(0), Priority.HIGH));
            assertEquals(DimseStatus.SUCCESS, association.store(images.get(1), Priority.MEDIUM));
            association.release();
        }
        assertEquals(List.of("HIGH:10", "MEDIUM:0"), strings(
                "select i.priority || ':' || j.priority from instance i join job j on j.subject = i.sop_instance_uid").stream().toList());
    }

    @Test
    void aDuplicateRestoresASpoolFileThatWentMissing() throws Exception {
        try (ClientAssociation association = open()) {
            assertEquals(DimseStatus.SUCCESS, association.store(images.get(0), Priority.MEDIUM));
            association.release();
        }
        Path stored = spoolFiles().get(0);
        Files.delete(stored);
        try (ClientAssociation association = open()) {
            assertEquals(DimseStatus.SUCCESS, association.store(images.get(0), Priority.MEDIUM));
            association.release();
        }
        assertTrue(Files.exists(stored), "the resent copy took the lost file's place");
        assertEquals(1, count("select count(*) from instance"));
    }

    /** Our own SR coming back (a PACS auto-forward rule, say) is stored but must not re-open its study. */
    @Test
    void anSrArrivingInAStudyDoesNotOpenItForReporting() throws Exception {
        try (ClientAssociation association = open()) {
            assertEquals(DimseStatus.SUCCESS, association.store(images.get(0), Priority.MEDIUM));
            association.release();
        }
        org.triagerouter.dicom.file.InstanceHeader h = org.triagerouter.dicom.file.InstanceFiles.readHeader(images.get(0));
        Path sr = work.resolve("sr.dcm");
        org.triagerouter.dicom.sr.TriageReportWriter.write(images.get(0), new org.triagerouter.dicom.sr.TriageResult("NORMAL", 0.1, "ROUTINE",
                "m", "1", false, "default", 0.5, 1, null, List.of(new org.triagerouter.dicom.sr.TriageResult.SourceImage(
                        h.seriesInstanceUid(), h.sopClassUid(), h.sopInstanceUid()))), sr, java.time.LocalDateTime.now());
        org.triagerouter.dicom.file.Part10Meta meta = Part10.readMeta(sr);
        try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("PACS"), new RemoteAe("TRIAGE", "127.0.0.1", server.port()),
                ClientAssociation.contextsFor(List.of(meta)))) {
            assertEquals(DimseStatus.SUCCESS, association.store(sr, Priority.MEDIUM));
            association.release();
        }
        assertEquals(2, count("select count(*) from instance"));
        assertEquals(1, count("select instance_count from study"), "only the image counts");
    }

    @Test
    void aSecondProcessCannotTakeTheSameSpool() throws Exception {
        Path spool = work.resolve("locked-spool");
        try (SpoolLock first = SpoolLock.acquire(spool)) {
            Process second = new ProcessBuilder(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), SpoolLockProbe.class.getName(), spool.toString())).redirectErrorStream(true).start();
            String output = new String(second.getInputStream().readAllBytes());
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(3, second.exitValue(), output);
            assertTrue(output.contains("is in use by another router process"), output);
        }
    }

    private ClientAssociation open() throws IOException {
        List<Part10Meta> metas = new ArrayList<>();
        for (Path p : images.subList(0, 4)) metas.add(Part10.readMeta(p));
        return ClientAssociation.open(ClientSettings.defaults("TESTSCU"), new RemoteAe("TRIAGE", "127.0.0.1", server.port()),
                ClientAssociation.contextsFor(metas));
    }

    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(settings.spool())) {
            return walk.filter(p -> p.toString().endsWith(".dcm")).toList();
        }
    }

    private long leftoverIncoming() throws IOException {
        try (Stream<Path> files = Files.list(settings.incoming())) {
            return files.count();
        }
    }

    private void waitForAssociations(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (count("select count(*) from association") < n && System.currentTimeMillis() < deadline) Thread.sleep(20);
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
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
