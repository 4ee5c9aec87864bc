package org.triagerouter.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.report.ReportSettings;
import org.triagerouter.report.ReportStage;
import org.triagerouter.report.ResultRecipient;
import org.triagerouter.report.StudyCompletion;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.StageWorker;
import org.triagerouter.store.testing.PostgresServer;

/**
 * From a complete study's rows to an SR at a real C-STORE SCP (dcmtk's storescp): decision, SR,
 * deliveries, HIGH priority for URGENT, revision on re-open, retry until a destination comes back,
 * permanent refusal, shadow mode.
 */
class ReportAndDispatchTest {
    static PostgresServer postgres;

    @TempDir
    Path work;
    Database database;
    List<Process> peers = new ArrayList<>();
    int imageSeed = 40;

    @BeforeAll
    static void start() throws Exception { postgres = PostgresServer.start(); }

    @AfterAll
    static void stop() throws Exception { postgres.close(); }

    @BeforeEach
    void database() throws Exception {
        database = new Database(postgres.createDatabase());
        database.migrate();
    }

    @AfterEach
    void close() throws Exception {
        for (Process p : peers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        database.close();
    }

    @Test
    void completeStudiesAreReportedAndDeliveredOnceWithTheirPriority() throws Exception {
        int port = freePort();
        Path received = startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false, true),
                new Destination("audit", new RemoteAe("NOWHERE", "127.0.0.1", 1), true)));
        String abnormal = seedStudy(List.of(0.91, -1.0), true);   // a scored PA image and an ineligible lateral
        String normal = seedStudy(List.of(0.2), true);
        String notAnalyzed = seedStudy(List.of(-1.0), true);

        runUntilIdle(settings);

        assertEquals("REPORTED ABNORMAL URGENT 1", result(abnormal));
        assertEquals("REPORTED NORMAL ROUTINE 1", result(normal));
        assertTrue(result(notAnalyzed).startsWith("NOT_ANALYZED"), result(notAnalyzed));
        assertEquals("no eligible image: ViewPosition is 'LL'", string("select reason from study_result r join study s on s.id = r.study_id "
                + "where s.study_instance_uid = '" + notAnalyzed + "'"));
        assertEquals(2, count("select count(*) from delivery where destination = 'pacs' and state = 'delivered' and attempts = 1"));
        assertEquals(2, count("select count(*) from delivery where destination = 'audit' and state = 'shadow'"), "shadow: recorded, never sent");
        List<Path> srs = files(received).stream().filter(p -> p.getFileName().toString().startsWith("SR")).toList();
        assertEquals(2, srs.size());
        List<Path> keyObjects = files(received).stream().filter(p -> p.getFileName().toString().startsWith("KO")).toList();
        assertEquals(1, keyObjects.size(), "a key object selection with the abnormal result only");
        assertEquals(abnormal, InstanceFiles.readHeader(keyObjects.get(0)).studyInstanceUid());
        String log = Files.readString(work.resolve("storescp-" + port + ".log"));
        assertEquals(2, log.lines().filter(l -> l.contains("Priority") && l.trim().endsWith(": high")).count(), "URGENT study's SR and KO sent HIGH");
        assertEquals(1, log.lines().filter(l -> l.contains("Priority") && l.trim().endsWith(": medium")).count());
        for (Path sr : srs) {
            InstanceHeader h = InstanceFiles.readHeader(sr);
            assertTrue(Set.of(abnormal, normal).contains(h.studyInstanceUid()), "the SR joins its study");
            assertEquals("SR", h.modality());
        }

        // A late instance re-opens the study: revision 2, which never lowers the priority already sent.
        addImage(abnormal, 0.1);
        runUntilIdle(settings);
        assertEquals("REPORTED ABNORMAL URGENT 2", result(abnormal));
        assertEquals(3, files(received).stream().filter(p -> p.getFileName().toString().startsWith("SR")).count());
        assertNotEquals(string("select sr_sop_instance_uid from study_result where revision = 1 and study_id = (select id from study where "
                + "study_instance_uid = '" + abnormal + "')"), string("select sr_sop_instance_uid from study_result where revision = 2"));
    }

    @Test
    void aStudyReportedAgainWithNothingNewGetsNoSecondRevision() throws Exception {
        int port = freePort();
        Path received = startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false)));
        String study = seedStudy(List.of(0.7), true);
        runUntilIdle(settings);
        assertEquals("REPORTED ABNORMAL HIGH 1", result(study));
        try (Connection c = database.connection()) {
            exec(c, "update study set reported_instance_count = 0"); // a sweep that read the study before the report committed
        }
        runUntilIdle(settings);
        assertEquals(1, count("select count(*) from study_result"), "no revision without a change");
        assertEquals(2, count("select count(*) from job where kind = 'report' and state = 'done'"), "the second report job ran");
        assertEquals(1, count("select reported_instance_count from study"));
        assertEquals(1, files(received).size(), "one SR at the PACS");
    }

    @Test
    void aDestinationThatIsDownGetsTheResultOnceItComesBack() throws Exception {
        int port = freePort();
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false)));
        seedStudy(List.of(0.7), true);
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, settings); StageWorker dispatch = dispatchWorker(leases, settings)) {
            new StudyCompletion(database, settings.report()).sweep();
            long deadline = System.currentTimeMillis() + 20_000;
            while (count("select coalesce(max(attempts), 0) from delivery") < 2 && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertTrue(count("select max(attempts) from delivery") >= 2, "retried while the destination was down");
            assertEquals("pending", string("select state from delivery"));
            Path received = startStorescp(port);
            deadline = System.currentTimeMillis() + 20_000;
            while (!"delivered".equals(string("select state from delivery")) && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertEquals("delivered", string("select state from delivery"));
            Thread.sleep(500);
            assertEquals(1, files(received).size(), "delivered once");
        }
    }

    @Test
    void aPermanentRefusalFailsTheDeliveryAtOnce() throws Exception {
        ServerSettings strict = new ServerSettings("STRICT", "127.0.0.1", 0, Set.of("SOMEONE_ELSE"), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4, Duration.ofSeconds(5), Duration.ofSeconds(5), work.resolve("strict"), null);
        try (DicomServer refusing = new DicomServer(strict, instance -> DimseStatus.SUCCESS)) {
            refusing.start();
            Pipeline settings = settings(List.of(new Destination("strict", new RemoteAe("STRICT", "127.0.0.1", refusing.port()), false)));
            seedStudy(List.of(0.95), true);
            runUntilIdle(settings);
            assertEquals("failed", string("select state from delivery"));
            assertEquals(1, count("select attempts from delivery"), "not retried");
            assertTrue(string("select last_error from delivery").contains("calling AE title not recognized"), string("select last_error from delivery"));
            assertEquals("failed", string("select state from job where kind = 'dispatch'"));
        }
    }

    /** Orthanc, a real PACS, and storescp side by side: the SR lands in the right study with its content. */
    @Test
    void orthancReceivesTheSrInTheRightStudy() throws Exception {
        int storescpPort = freePort();
        Path received = startStorescp(storescpPort);
        try (OrthancServer orthanc = OrthancServer.start(work.resolve("orthanc"))) {
            Pipeline settings = settings(List.of(new Destination("orthanc", new RemoteAe("ORTHANC", "127.0.0.1", orthanc.dicomPort), false),
                    new Destination("storescp", new RemoteAe("STORESCP", "127.0.0.1", storescpPort), false)));
            String study = seedStudy(List.of(0.93), true);
            runUntilIdle(settings);
            assertEquals(2, count("select count(*) from delivery where state = 'delivered'"));
            assertEquals(1, files(received).size());

            String series = orthanc.get("/series?expand");
            assertTrue(series.contains("\"Modality\" : \"SR\""), series);
            assertTrue(series.contains("AI triage: ABNORMAL 0.93 URGENT"), series);
            String studies = orthanc.get("/studies?expand");
            assertTrue(studies.contains(study), "the SR is filed under the source study: " + studies);
            String instanceId = orthanc.get("/instances").replaceAll("(?s).*\"([0-9a-f-]{44})\".*", "$1");
            Path copy = work.resolve("from-orthanc.dcm");
            Files.write(copy, orthanc.getBytes("/instances/" + instanceId + "/file"));
            Process dump = new ProcessBuilder("dsrdump", "+Pl", copy.toString()).redirectErrorStream(true).start();
            String tree = new String(dump.getInputStream().readAllBytes());
            assertEquals(0, dump.waitFor());
            assertTrue(tree.contains("Abnormality score") && tree.contains("0.9300") && tree.contains("(263654008,SCT,\"Abnormal\")"), tree);
        }
    }

    @Test
    void aStudySentWithHighPriorityIsReportedFirst() throws Exception {
        Pipeline settings = settings(List.of());
        String routine = seedStudy(List.of(0.3), true);
        String high = seedStudy(List.of(0.3, 0.3), true);
        try (Connection c = database.connection()) {
            // One of its two images came HIGH, the other MEDIUM: one is enough.
            exec(c, "update instance set priority = 'HIGH' where id = (select min(id) from instance where study_id = "
                    + "(select id from study where study_instance_uid = '" + high + "'))");
        }
        assertEquals(2, new StudyCompletion(database, settings.report()).sweep());
        assertEquals("10", string("select priority::text from job where kind = 'report' and subject = '" + high + "'"));
        assertEquals("0", string("select priority::text from job where kind = 'report' and subject = '" + routine + "'"));
    }

    @Test
    void spoolRetentionDeletesOnlyFilesOfFullyDeliveredStudies() throws Exception {
        int port = freePort();
        startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false)));
        String delivered = seedStudy(List.of(0.9), true);
        runUntilIdle(settings);
        String waiting = seedStudy(List.of(0.9), true); // complete, but not reported yet: must keep its files
        String failed = seedStudy(List.of(0.9), true);  // its latest result FAILED: a re-run needs the files
        try (Connection c = database.connection()) {
            exec(c, "insert into study_result (study_id, model_id, model_version, revision, status, image_count, reason) select id, 'cxr', '1', 1, "
                    + "'FAILED', 1, 'inference failed' from study where study_instance_uid = '" + failed + "'");
            exec(c, "update study set reported_instance_count = instance_count where study_instance_uid = '" + failed + "'");
        }
        Path deliveredFolder = Path.of(string("select i.file_path from instance i join study s on s.id = i.study_id where s.study_instance_uid = '"
                + delivered + "'")).getParent();
        Files.delete(deliveredFolder.resolve("img0001.dcm")); // seeded beside the recorded image, without a row of its own
        org.triagerouter.ingest.IngestSettings ingest = new org.triagerouter.ingest.IngestSettings(work, 0, "node-a");
        int deleted = new org.triagerouter.ingest.SpoolRetention(database, ingest, Duration.ZERO).deleteDelivered();
        assertEquals(1, deleted);
        assertFalse(Files.exists(deliveredFolder), "a delivered study's folder goes with its last file");
        assertEquals(0, count("select count(*) from instance i join study s on s.id = i.study_id where s.study_instance_uid = '" + delivered
                + "' and i.file_deleted_at is null"));
        String kept = string("select i.file_path from instance i join study s on s.id = i.study_id where s.study_instance_uid = '" + waiting + "'");
        assertTrue(Files.exists(Path.of(kept)), "files of a study not yet delivered stay");
        assertEquals(0, count("select count(*) from instance i join study s on s.id = i.study_id where s.study_instance_uid = '" + failed
                + "' and i.file_deleted_at is not null"), "files of a failed study stay");
        assertEquals(0, new org.triagerouter.ingest.SpoolRetention(database, ingest, Duration.ofDays(30)).deleteDelivered(),
                "nothing younger than the retention period goes");
    }

    @Test
    void aDeliveryWhoseJobFailedElsewhereIsMarkedFailed() throws Exception {
        String study = seedStudy(List.of(0.9), true);
        try (Connection c = database.connection()) {
            exec(c, "insert into study_result (id, study_id, model_id, model_version, revision, status, image_count) select 99, id, 'cxr', '1', 1, "
                    + "'REPORTED', 1 from study where study_instance_uid = '" + study + "'");
            exec(c, "insert into delivery (id, study_result_id, destination, state) values (99, 99, 'pacs', 'pending')");
            exec(c, "insert into job (kind, subject, state, last_error) values ('dispatch', '99', 'failed', 'lease of dead-node expired')");
        }
        assertEquals(1, DispatchStage.markAbandoned(database));
        assertEquals("failed lease of dead-node expired", string("select state || ' ' || last_error from delivery where id = 99"));
    }

    @Test
    void destinationHealthRecordsEachEcho() throws Exception {
        int up = freePort();
        startStorescp(up);
        int down = freePort();
        ClientSettings client = new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20, null);
        new DestinationHealth(database, List.of(new Destination("up", new RemoteAe("STORESCP", "127.0.0.1", up), false),
                new Destination("down", new RemoteAe("NOBODY", "127.0.0.1", down), false)), client).checkAll();
        assertEquals("true", string("select ok::text from destination_health where destination = 'up'"));
        assertEquals("false", string("select ok::text from destination_health where destination = 'down'"));
        assertTrue(string("select message from destination_health where destination = 'down'").contains("cannot connect"));
    }

    /** The report stage's and the dispatch stage's view of the same destinations. */
    private record Pipeline(ReportSettings report, DispatchSettings dispatch) {}

    private Pipeline settings(List<Destination> destinations) {
        ClientSettings client = new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null);
        return new Pipeline(new ReportSettings("cxr", "1", false, "default", 0.5, Duration.ZERO, Duration.ofMinutes(10),
                destinations.stream().map(d -> new ResultRecipient(d.name(), d.shadow(), d.keyObjects())).toList(), 5, "node-a"),
                new DispatchSettings(destinations, client));
    }

    private void runUntilIdle(Pipeline settings) throws Exception {
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, settings); StageWorker dispatch = dispatchWorker(leases, settings)) {
            new StudyCompletion(database, settings.report()).sweep();
            long deadline = System.currentTimeMillis() + 30_000;
            while (count("select count(*) from job where kind in ('report', 'dispatch') and state in ('queued', 'running')") > 0
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    private StageWorker reportWorker(LeaseKeeper leases, Pipeline settings) {
        return new StageWorker(database, leases, new StageWorker.Settings(JobKind.REPORT, "report-1", null, 4, Duration.ofMillis(100),
                RetryPolicy.DEFAULT), new ReportStage(database, settings.report())).start();
    }

    private StageWorker dispatchWorker(LeaseKeeper leases, Pipeline settings) {
        return new StageWorker(database, leases, new StageWorker.Settings(JobKind.DISPATCH, "dispatch-1", null, 4, Duration.ofMillis(100),
                new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(1))), new DispatchStage(database, settings.dispatch())).start();
    }

    /** A study whose images are on disk and in the tables; a negative score means an ineligible lateral. */
    private String seedStudy(List<Double> scores, boolean released) throws Exception {
        List<Path> files = SyntheticChestImages.writeSet(work.resolve("study-" + imageSeed), Math.max(2, scores.size()), 200, 160, imageSeed);
        imageSeed += 10;
        String study = InstanceFiles.readHeader(files.get(0)).studyInstanceUid();
        String association = "assoc-" + study;
        try (Connection c = database.connection()) {
            exec(c, "insert into association (id, node, calling_ae_title, called_ae_title, remote_address, opened_at, closed_at, released, "
                    + "instance_count) values ('" + association + "', 'node-a', 'MOD', 'TRIAGE', 'x', now() - interval '1 minute', "
                    + "now() - interval '1 minute', " + released + ", " + scores.size() + ")");
            for (int i = 0; i < scores.size(); i++) insertImage(c, files.get(i), scores.get(i), association);
        }
        return study;
    }

    private void addImage(String study, double score) throws Exception {
        Path dir = work.resolve("late-" + imageSeed);
        try (Connection c = database.connection()) {
            String series;
            try (ResultSet rs = c.createStatement().executeQuery("select se.series_instance_uid from series se join study s on s.id = se.study_id "
                    + "where s.study_instance_uid = '" + study + "' limit 1")) {
                rs.next();
                series = rs.getString(1);
            }
            SyntheticChestImages.Spec spec = new SyntheticChestImages.Spec("DX", "PA", false, 200, 160, imageSeed++, "SYNLATE", study, series,
                    Uids.newUid());
            Files.createDirectories(dir);
            Path file = dir.resolve("late.dcm");
            SyntheticChestImages.write(spec, file);
            exec(c, "insert into association (id, node, calling_ae_title, called_ae_title, remote_address, opened_at, closed_at, released, "
                    + "instance_count) values ('late-" + study + "', 'node-a', 'MOD', 'TRIAGE', 'x', now(), now() - interval '1 second', true, 1)");
            insertImage(c, file, score, "late-" + study);
        }
    }

    private void insertImage(Connection c, Path file, double score, String association) throws Exception {
        InstanceHeader h = InstanceFiles.readHeader(file);
        exec(c, "insert into study (study_instance_uid) values ('" + h.studyInstanceUid() + "') on conflict do nothing");
        exec(c, "insert into series (study_id, series_instance_uid) select id, '" + h.seriesInstanceUid() + "' from study where study_instance_uid = '"
                + h.studyInstanceUid() + "' on conflict do nothing");
        try (PreparedStatement s = c.prepareStatement("""
                insert into instance (study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, node, file_path, file_size,
                                      calling_ae_title, association_id, priority, view_position, rows, columns)
                select st.id, se.id, ?, ?, '1.2.840.10008.1.2.1', 'node-a', ?, 0, 'MOD', ?, 'MEDIUM', ?, 200, 160
                  from study st join series se on se.study_id = st.id where se.series_instance_uid = ? returning id""")) {
            s.setString(1, h.sopInstanceUid());
            s.setString(2, h.sopClassUid());
            s.setString(3, file.toString());
            s.setString(4, association);
            s.setString(5, score < 0 ? "LL" : "PA");
            s.setString(6, h.seriesInstanceUid());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                exec(c, "update study set instance_count = instance_count + 1 where study_instance_uid = '" + h.studyInstanceUid() + "'");
                if (score < 0) {
                    exec(c, "insert into eligibility (instance_id, eligible, reason) values (" + id + ", false, 'ViewPosition is ''LL''')");
                } else {
                    exec(c, "insert into eligibility (instance_id, eligible, rule) values (" + id + ", true, 'frontal')");
                    String priority = score >= 0.8 ? "URGENT" : score >= 0.5 ? "HIGH" : "ROUTINE";
                    exec(c, "insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores, "
                            + "provider, batch_size, tensor_ms, run_ms, node) values (" + id + ", 'cxr', '1', false, " + score + ", '" + priority
                            + "', '" + (score >= 0.5 ? "default" : "") + "', 'abnormal=" + score + "', 'cpu', 1, 1, 1, 'node-a')");
                }
            }
        }
    }

    private Path startStorescp(int port) throws Exception {
        Path out = Files.createDirectories(work.resolve("received-" + port));
        Process p = new ProcessBuilder("storescp", "-d", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(work.resolve("storescp-" + port + ".log").toFile()).start();
        peers.add(p);
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return out;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("storescp did not start");
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private String result(String study) throws Exception {
        return string("select r.status || ' ' || coalesce(r.category, '') || ' ' || coalesce(r.priority, '') || ' ' || r.revision "
                + "from study_result r join study s on s.id = r.study_id where s.study_instance_uid = '" + study + "' order by r.revision desc limit 1")
                .replace("  ", " ");
    }

    private static void exec(Connection c, String sql) throws Exception {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
