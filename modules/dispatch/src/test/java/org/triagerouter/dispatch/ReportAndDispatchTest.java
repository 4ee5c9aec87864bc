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
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dicom.testing.SrValidator;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.report.ReportSettings;
import org.triagerouter.report.ReportStage;
import org.triagerouter.report.ResultRecipient;
import org.triagerouter.report.StudyCompletion;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.StageWorker;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * From a complete study's rows to an SR at a real C-STORE SCP (dcmtk's storescp): decision, SR,
 * deliveries, HIGH priority for URGENT, revision on re-open, retry until a destination comes back,
 * permanent refusal, shadow mode. The SRs received pass PixelMed's DicomSRValidator without errors.
 */
class ReportAndDispatchTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    /** The model whose scores the studies are seeded with: priority URGENT from 0.8, HIGH from 0.5; abnormal from 0.5. */
    static ModelManifest cxr;

    @TempDir
    Path work;
    Database database;
    IngestSettings ingest;
    InlinePipeline stages;
    List<Process> peers = new ArrayList<>();
    int imageSeed = 40;

    @BeforeAll
    static void model() throws Exception { cxr = ChosenScores.manifest("cxr", "1", "default", 0.5); }

    @BeforeEach
    void database() {
        database = postgres.database();
        ingest = new IngestSettings(work.resolve("spool"), 0, "node-a");
        stages = new InlinePipeline(database, "node-a");
    }

    @AfterEach
    void close() throws Exception {
        for (Process p : peers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void completeStudiesAreReportedAndDeliveredOnceWithTheirPriority() throws Exception {
        int port = freePort();
        Path received = startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false, true),
                new Destination("audit", new RemoteAe("NOWHERE", "127.0.0.1", 1), true)));
        String abnormal = seedStudy(List.of(0.91, -1.0));   // a scored PA image and an ineligible lateral
        String normal = seedStudy(List.of(0.2));
        String notAnalyzed = seedStudy(List.of(-1.0));

        runUntilIdle(settings);

        assertEquals("REPORTED ABNORMAL URGENT 1", result(abnormal));
        assertEquals("REPORTED NORMAL ROUTINE 1", result(normal));
        assertTrue(result(notAnalyzed).startsWith("NOT_ANALYZED"), result(notAnalyzed));
        assertEquals("no eligible image: ViewPosition is 'LL', not [(empty), AP, PA]; PatientOrientation is 'A\\F', excluded by /^(A|P)\\\\.*/",
                string("select reason from study_result r join study s on s.id = r.study_id where s.study_instance_uid = '" + notAnalyzed + "'"));
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
        List<Path> allSrs = files(received).stream().filter(p -> p.getFileName().toString().startsWith("SR")).toList();
        assertEquals(3, allSrs.size());
        assertNotEquals(string("select sr_sop_instance_uid from study_result where revision = 1 and study_id = (select id from study where "
                + "study_instance_uid = '" + abnormal + "')"), string("select sr_sop_instance_uid from study_result where revision = 2"));

        // What the PACS received passes the validator IHE uses: normal, abnormal and revised SRs, and the key object selection.
        for (Path document : Stream.concat(allSrs.stream(), keyObjects.stream()).toList()) {
            SrValidator.Report report = SrValidator.validate(document);
            assertEquals(List.of(), report.errors(), document.getFileName() + ":\n" + report.output());
        }
    }

    @Test
    void aStudyReportedAgainWithNothingNewGetsNoSecondRevision() throws Exception {
        int port = freePort();
        Path received = startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false)));
        String study = seedStudy(List.of(0.7));
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
        seedStudy(List.of(0.7));
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
            seedStudy(List.of(0.95));
            runUntilIdle(settings);
            assertEquals("failed", string("select state from delivery"));
            assertEquals(1, count("select attempts from delivery"), "not retried");
            assertTrue(string("select last_error from delivery").contains("calling AE title not recognized"), string("select last_error from delivery"));
            assertEquals("failed", string("select state from job where kind = 'dispatch'"));
        }
    }

    /** Orthanc, a real PACS, and storescp side by side: the SR lands in the right study with its content. */
    @Test
    void orthancReceivesTheSrAndTheResultImageInTheRightStudy() throws Exception {
        int storescpPort = freePort();
        Path received = startStorescp(storescpPort);
        try (OrthancServer orthanc = OrthancServer.start(work.resolve("orthanc"))) {
            Pipeline settings = settings(List.of(new Destination("orthanc", new RemoteAe("ORTHANC", "127.0.0.1", orthanc.dicomPort), false, false,
                            null, true),
                    new Destination("storescp", new RemoteAe("STORESCP", "127.0.0.1", storescpPort), false)));
            String study = seedStudy(List.of(0.93));
            runUntilIdle(settings);
            assertEquals(2, count("select count(*) from delivery where state = 'delivered'"));
            assertEquals(1, files(received).size(), "no result image where it was not asked for");

            String series = orthanc.get("/series?expand");
            assertTrue(series.contains("\"Modality\" : \"SR\""), series);
            assertTrue(series.contains("\"Modality\" : \"OT\""), "the result image, a Secondary Capture: " + series);
            assertTrue(series.contains("AI triage: ABNORMAL 0.93 URGENT"), series);
            String studies = orthanc.get("/studies?expand");
            assertTrue(studies.contains(study), "SR and result image are filed under the source study: " + studies);
            Path copy = null, image = null;
            java.util.regex.Matcher ids = java.util.regex.Pattern.compile("\"([0-9a-f-]{44})\"").matcher(orthanc.get("/instances"));
            while (ids.find()) {
                Path file = work.resolve("from-orthanc-" + ids.group(1) + ".dcm");
                Files.write(file, orthanc.getBytes("/instances/" + ids.group(1) + "/file"));
                org.triagerouter.dicom.file.InstanceHeader h = InstanceFiles.readHeader(file);
                assertEquals(study, h.studyInstanceUid());
                if ("SR".equals(h.modality())) copy = file;
                if ("OT".equals(h.modality())) image = file;
            }
            assertTrue(copy != null && image != null, "both in Orthanc");
            assertEquals(org.triagerouter.dicom.sr.ResultImageWriter.SECONDARY_CAPTURE, InstanceFiles.readHeader(image).sopClassUid());
            Process dump = new ProcessBuilder("dsrdump", "+Pl", copy.toString()).redirectErrorStream(true).start();
            String tree = new String(dump.getInputStream().readAllBytes());
            assertEquals(0, dump.waitFor());
            assertTrue(tree.contains("Abnormality score") && tree.contains("0.9300") && tree.contains("(263654008,SCT,\"Abnormal\")"), tree);
            SrValidator.Report report = SrValidator.validate(copy);
            assertEquals(List.of(), report.errors(), "the SR as the PACS holds it:\n" + report.output());
        }
    }

    @Test
    void aStudySentWithHighPriorityIsReportedFirst() throws Exception {
        Pipeline settings = settings(List.of());
        String routine = seedStudy(List.of(0.3));
        String high = seedStudy(List.of(0.3, 0.3), Priority.HIGH); // one of its two images came HIGH, the other MEDIUM: one is enough
        assertEquals(2, new StudyCompletion(database, settings.report()).sweep());
        assertEquals("10", string("select priority::text from job where kind = 'report' and subject = '" + high + "'"));
        assertEquals("0", string("select priority::text from job where kind = 'report' and subject = '" + routine + "'"));
    }

    @Test
    void spoolRetentionDeletesOnlyFilesOfFullyDeliveredStudies() throws Exception {
        int port = freePort();
        startStorescp(port);
        Pipeline settings = settings(List.of(new Destination("pacs", new RemoteAe("STORESCP", "127.0.0.1", port), false)));
        String delivered = seedStudy(List.of(0.9));
        runUntilIdle(settings);
        String waiting = seedStudy(List.of(0.9)); // complete, but not reported yet: must keep its files
        String failed = seedStudy(List.of(Double.NaN)); // its inference failed, so its latest result FAILED: a re-run needs the files
        report(failed, settings);
        assertEquals("FAILED", string("select status from study_result r join study s on s.id = r.study_id where s.study_instance_uid = '"
                + failed + "'"));
        Path deliveredFolder = Path.of(string("select i.file_path from instance i join study s on s.id = i.study_id where s.study_instance_uid = '"
                + delivered + "'")).getParent();
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
        String study = seedStudy(List.of(0.9));
        report(study, settings(List.of(new Destination("pacs", new RemoteAe("PACS", "127.0.0.1", freePort()), false)), 1));
        // The node that claimed the delivery's only attempt died with it: its lease expires, the job fails, the delivery stays pending.
        JobQueue queue = new JobQueue(database);
        long delivery = Long.parseLong(queue.claim(JobKind.DISPATCH, "dead-node", 1, Duration.ofMillis(1)).get(0).subject());
        Thread.sleep(50);
        assertEquals(1, queue.recoverExpiredLeases());
        assertEquals("pending", string("select state from delivery where id = " + delivery));
        assertEquals(1, DispatchStage.markAbandoned(database));
        assertEquals("failed lease of dead-node expired", string("select state || ' ' || last_error from delivery where id = " + delivery));
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

    private Pipeline settings(List<Destination> destinations) { return settings(destinations, 5); }

    private Pipeline settings(List<Destination> destinations, int deliveryAttempts) {
        ClientSettings client = new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null);
        return new Pipeline(new ReportSettings("cxr", "1", false, "default", 0.5, Duration.ZERO, Duration.ofMinutes(10),
                InlinePipeline.recipients(destinations), deliveryAttempts, "node-a"),
                new DispatchSettings(destinations, client));
    }

    /** The report stage on one study only, as if its completion alone had been found; no dispatch. */
    private void report(String study, Pipeline settings) throws Exception { stages.report(settings.report(), study); }

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

    private String seedStudy(List<Double> scores) throws Exception { return seedStudy(scores, Priority.MEDIUM); }

    /**
     * A study received on one association (its first image with {@code firstPriority}), prepared and scored by the stages.
     * A negative score means a lateral image (not eligible), NaN an image whose inference fails.
     */
    private String seedStudy(List<Double> scores, Priority firstPriority) throws Exception {
        String study = Uids.newUid();
        receive(study, Uids.newUid(), scores, firstPriority);
        return study;
    }

    /** A late image, in its study's series, on an association of its own. */
    private void addImage(String study, double score) throws Exception {
        receive(study, string("select se.series_instance_uid from series se join study s on s.id = se.study_id where s.study_instance_uid = '"
                + study + "' limit 1"), List.of(score), Priority.MEDIUM);
    }

    private void receive(String study, String series, List<Double> scores, Priority firstPriority) throws Exception {
        Map<String, Double> chosen = new HashMap<>();
        String patient = String.format("SYN%06d", imageSeed);
        try (InboundAssociation modality = new InboundAssociation(database, ingest, "MOD")) {
            for (int i = 0; i < scores.size(); i++) {
                double score = scores.get(i);
                Path file = work.resolve("image-" + imageSeed + ".dcm");
                SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", score < 0 ? "LL" : "PA", false, 200, 160, imageSeed++, patient, study,
                        series, Uids.newUid()), file);
                String sop = modality.store(file, i == 0 ? firstPriority : Priority.MEDIUM);
                if (!Double.isNaN(score)) chosen.put(sop, score);
            }
        }
        stages.prepareAndScore(cxr, chosen);
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
