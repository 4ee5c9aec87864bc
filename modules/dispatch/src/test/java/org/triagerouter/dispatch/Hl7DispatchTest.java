package org.triagerouter.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.StudyAttributes;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.hl7.Hl7Endpoint;
import org.triagerouter.hl7.Hl7Options;
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
 * HL7 v2 destinations end to end: complete studies' rows through the real report and dispatch stages to a
 * RIS the project did not write (python-hl7's MLLP server), which parses every message with python-hl7 and
 * answers with the ACK a test chooses. Checks what the RIS read and what the delivery rows say.
 */
class Hl7DispatchTest {
    static PostgresServer postgres;

    @TempDir
    Path work;
    Database database;
    final List<AutoCloseable> peers = new ArrayList<>();
    int imageSeed = 300;

    /** A seeded study as the RIS knows it. */
    record Seeded(String uid, String accession, String patientId) {}

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
        for (AutoCloseable p : peers) p.close();
        database.close();
    }

    @Test
    void eachStudyGetsOneOruWithItsAccessionCategoryScoreAndPriorityAndUrgentAndHighAlsoAnOrm() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        Pipeline pipeline = pipeline(false, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)),
                hl7("ris-shadow", port, true, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded urgent = seedStudy(List.of(0.91, -1.0), true);
        Seeded high = seedStudy(List.of(0.6), true);
        Seeded routine = seedStudy(List.of(0.2), true);

        runUntilIdle(pipeline);

        List<PythonRis.Received> orus = ris.received("ORU");
        assertEquals(3, orus.size(), "one ORU per study, none for the shadow destination");
        PythonRis.Received u = byAccession(orus, urgent.accession());
        assertEquals("ORU^R01^ORU_R01", u.type());
        assertEquals("TR" + resultId(urgent) + "-1-ORU", u.controlId());
        assertEquals(List.of("MSH", "PID", "ORC", "OBR", "NTE", "TQ1", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX"), u.segments());
        assertEquals("2.5.1", u.get("MSH[1]-12"));
        assertEquals(urgent.patientId(), u.get("PID[1]-3"));
        assertEquals("SYNTHETIC", u.get("PID[1]-5.1"));
        assertEquals("19600101", u.get("PID[1]-7"));
        assertEquals(urgent.accession(), u.get("OBR[1]-3"));
        assertEquals("CHEST 2 VIEWS", u.get("OBR[1]-4.2"));
        assertEquals("P", u.get("OBR[1]-25"));
        assertEquals("ABNORMAL", u.get("OBX[" + u.observation("AI-CATEGORY") + "]-5.1"));
        assertEquals("CWE", u.obx("AI-CATEGORY", 2));
        assertEquals("A", u.obx("AI-CATEGORY", 8));
        assertEquals(0.91, Double.parseDouble(u.obx("AI-SCORE", 5)), 1e-9);
        assertEquals("NM", u.obx("AI-SCORE", 2));
        assertEquals("URGENT", u.get("OBX[" + u.observation("AI-PRIORITY") + "]-5.1"));
        assertEquals("cxr", u.obx("111001", 5));
        assertEquals("1", u.obx("111003", 5));
        assertEquals("default (threshold 0.5)", u.obx("AI-OPERATING-POINT", 5));
        assertEquals(urgent.uid(), u.obx("110180", 5));
        assertEquals("S", u.get("TQ1[1]-9.1"));
        assertTrue(u.get("NTE[1]-3").startsWith("NOT FOR CLINICAL USE"), "the model is not for clinical use: " + u.get("NTE[1]-3"));

        PythonRis.Received n = byAccession(orus, routine.accession());
        assertEquals("NORMAL", n.get("OBX[" + n.observation("AI-CATEGORY") + "]-5.1"));
        assertEquals(0.2, Double.parseDouble(n.obx("AI-SCORE", 5)), 1e-9);
        assertEquals("ROUTINE", n.get("OBX[" + n.observation("AI-PRIORITY") + "]-5.1"));
        assertEquals("ABNORMAL", byAccession(orus, high.accession()).get("OBX[1]-5.1"));
        assertEquals("HIGH", byAccession(orus, high.accession()).get("OBX[3]-5.1"));

        List<PythonRis.Received> orms = ris.received("ORM");
        assertEquals(2, orms.size(), "a priority message for URGENT and HIGH only");
        PythonRis.Received stat = byAccession(orms, urgent.accession());
        assertEquals("ORM^O01^ORM_O01", stat.type());
        assertEquals("XO", stat.get("ORC[1]-1"));
        assertEquals("S", stat.get("ORC[1]-7.6"));
        assertEquals("S", stat.get("OBR[1]-27.6"));
        assertEquals(urgent.patientId(), stat.get("PID[1]-3"));
        assertEquals("A", byAccession(orms, high.accession()).get("ORC[1]-7.6"));
        List<PythonRis.Received> all = ris.received();
        assertTrue(all.indexOf(stat) < all.indexOf(u), "the worklist hears of the priority before the result");

        assertEquals(3, count("select count(*) from delivery where destination = 'ris' and state = 'delivered' and attempts = 1"));
        assertEquals(3, count("select count(*) from delivery where destination = 'ris-shadow' and state = 'shadow'"));
        assertEquals("AccessionNumber {ORM^O01,ORU^R01} {TR" + resultId(urgent) + "-1-ORM,TR" + resultId(urgent) + "-1-ORU} {AA,AA}",
                deliveryHl7(urgent, "ris"));
        assertEquals("AccessionNumber {ORU^R01} {TR" + resultId(routine) + "-1-ORU} {AA}", deliveryHl7(routine, "ris"));
        assertEquals("ORU^R01 AA", string("select last_status from delivery d join study_result r on r.id = d.study_result_id join study s "
                + "on s.id = r.study_id where s.study_instance_uid = '" + routine.uid() + "' and d.destination = 'ris'"));
    }

    @Test
    void aRisThatRejectsFailsTheDeliveryAtOnceWithItsText() throws Exception {
        int port = freePort();
        PythonRis ris = track(PythonRis.start(work, port, "AR", "Order not found in RIS", null));
        Pipeline pipeline = pipeline(true, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded study = seedStudy(List.of(0.93), true);
        runUntilIdle(pipeline);

        assertEquals("failed", string("select state from delivery"));
        assertEquals(1, count("select attempts from delivery"), "not retried");
        String error = string("select last_error from delivery");
        assertTrue(error.contains("AR: Order not found in RIS"), error);
        assertEquals("failed", string("select state from job where kind = 'dispatch'"));
        assertEquals("{AR,NULL}", string("select hl7_ack_codes::text from delivery"));
        assertTrue(string("select hl7_ack_texts[1] from delivery").contains("Order not found in RIS"));
        assertEquals(1, ris.received().size(), "after the priority message was rejected the result was not sent");
        assertEquals(study.accession(), ris.received().get(0).get("ORC[1]-3"));
    }

    @Test
    void aRisThatIsDownGetsTheMessagesOnceItComesBack() throws Exception {
        int port = freePort();
        Destination destination = hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5));
        Pipeline pipeline = pipeline(true, destination);
        DestinationHealth health = new DestinationHealth(database, List.of(destination), pipeline.dispatch().client());
        health.checkAll();
        assertEquals("false", string("select ok::text from destination_health"));
        Seeded study = seedStudy(List.of(0.3), true);
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, pipeline); StageWorker dispatch = dispatchWorker(leases, pipeline)) {
            new StudyCompletion(database, pipeline.report()).sweep();
            await(() -> count("select coalesce(max(attempts), 0) from delivery") >= 2, 30);
            assertEquals("pending", string("select state from delivery"));
            assertTrue(string("select last_error from delivery").contains("cannot connect to hl7://127.0.0.1:" + port),
                    string("select last_error from delivery"));
            PythonRis ris = ris(port, "AA");
            await(() -> "delivered".equals(string("select state from delivery")), 30);
            Thread.sleep(500);
            assertEquals(1, ris.received().size(), "delivered once");
            assertEquals(study.accession(), ris.received().get(0).get("OBR[1]-3"));
        }
        health.checkAll();
        assertEquals("true", string("select ok::text from destination_health"));
        assertTrue(string("select message from destination_health").startsWith("MLLP connected"));
    }

    @Test
    void noAcknowledgmentOrAnErrorIsRetriedWithTheSameControlIdAndAnAcceptedMessageIsNotSentAgain() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        ris.answer("ORU NONE");
        Pipeline pipeline = pipeline(true, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(1)));
        Seeded study = seedStudy(List.of(0.95), true);
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, pipeline); StageWorker dispatch = dispatchWorker(leases, pipeline)) {
            new StudyCompletion(database, pipeline.report()).sweep();
            await(() -> ris.received("ORU").size() >= 1, 30);
            ris.answer("ORU AE Database busy");
            await(() -> ris.received("ORU").size() >= 2, 30);
            ris.answer();
            await(() -> "delivered".equals(string("select state from delivery")), 30);
        }
        List<PythonRis.Received> orus = ris.received("ORU");
        assertEquals(List.of("NONE", "AE", "AA"), orus.stream().map(PythonRis.Received::ack).toList());
        String controlId = "TR" + resultId(study) + "-1-ORU";
        assertTrue(orus.stream().allMatch(r -> r.controlId().equals(controlId)), "a resend is recognisable by its control ID");
        assertEquals(1, ris.received("ORM").size(), "the accepted priority message was not sent again");
        assertEquals(3, count("select attempts from delivery"));
        assertEquals("{AA,AA}", string("select hl7_ack_codes::text from delivery"));
    }

    @Test
    void aRevisionIsACorrectedResultAndARaisedPriorityAnotherOrm() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        Pipeline pipeline = pipeline(true, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded study = seedStudy(List.of(0.6), true);
        runUntilIdle(pipeline);
        addImage(study.uid(), 0.9);  // revision 2: URGENT
        runUntilIdle(pipeline);
        addImage(study.uid(), 0.85); // revision 3: still URGENT
        runUntilIdle(pipeline);

        List<PythonRis.Received> orus = ris.received("ORU");
        assertEquals(List.of("P", "C", "C"), orus.stream().map(r -> r.get("OBR[1]-25")).toList());
        assertEquals(List.of("P", "C", "C"), orus.stream().map(r -> r.obx("AI-CATEGORY", 11)).toList());
        assertEquals(List.of("-1-ORU", "-2-ORU", "-3-ORU"), orus.stream().map(r -> r.controlId().substring(r.controlId().indexOf('-'))).toList());
        assertEquals(List.of("HIGH", "URGENT", "URGENT"), orus.stream().map(r -> r.get("OBX[" + r.observation("AI-PRIORITY") + "]-5.1")).toList());
        assertEquals("Corrected AI result: revision 2 replaces revision 1.", orus.get(1).get("NTE[1]-3"));
        assertTrue(orus.stream().allMatch(r -> r.get("ORC[1]-3").equals(study.accession())));
        List<PythonRis.Received> orms = ris.received("ORM");
        assertEquals(List.of("A", "S"), orms.stream().map(r -> r.get("ORC[1]-7.6")).toList(), "HIGH, then raised to URGENT; not again when unchanged");
        assertEquals(3, count("select count(*) from delivery where state = 'delivered'"));
    }

    @Test
    void aResultRevisedWhileTheRisWasDownIsNotSentAfterItsCorrection() throws Exception {
        int port = freePort();
        Pipeline pipeline = pipeline(true, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded study = seedStudy(List.of(0.3), true);
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, pipeline); StageWorker dispatch = dispatchWorker(leases, pipeline)) {
            StudyCompletion completion = new StudyCompletion(database, pipeline.report());
            completion.sweep();
            await(() -> count("select coalesce(max(attempts), 0) from delivery") >= 1, 30);
            addImage(study.uid(), 0.35);
            completion.sweep();
            await(() -> count("select count(*) from delivery") == 2, 30);
            PythonRis ris = ris(port, "AA");
            await(() -> count("select count(*) from delivery where state in ('delivered', 'failed')") == 2, 30);
            assertEquals("delivered", string("select d.state from delivery d join study_result r on r.id = d.study_result_id where r.revision = 2"));
            assertEquals("failed superseded by revision 2, which this destination gets instead: not sent", string(
                    "select d.state || ' ' || d.last_error from delivery d join study_result r on r.id = d.study_result_id where r.revision = 1"));
            assertEquals(List.of("C"), ris.received().stream().map(r -> r.get("OBR[1]-25")).toList(), "only the correction reached the RIS");
        }
    }

    @Test
    void aStudyWithoutAccessionNumberIsOrderedByItsStudyInstanceUid() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        Hl7Options d = Hl7Options.defaults();
        Hl7Options placerAndFiller = new Hl7Options(d.sendingApplication(), d.sendingFacility(), "RIS", "HOSP", "P",
                EnumSet.of(Hl7Options.OrderNumberField.PLACER, Hl7Options.OrderNumberField.FILLER), d.priorityMessage(), "XO", d.priorityCodes(),
                d.priorityFields(), "", d.codingSystem(), "", d.procedureText(), "", d.characterSet(), false);
        Pipeline pipeline = pipeline(true, hl7("ris", port, false, placerAndFiller, Duration.ofSeconds(5)));
        Seeded study = seedStudy(List.of(0.92), true, false);
        assertEquals("", study.accession());
        runUntilIdle(pipeline);

        assertEquals(2, ris.received().size());
        for (PythonRis.Received r : ris.received()) {
            for (String field : List.of("ORC[1]-2", "ORC[1]-3", "OBR[1]-2", "OBR[1]-3")) assertEquals(study.uid(), r.get(field), r.type() + " " + field);
            assertEquals("RIS", r.get("MSH[1]-5"));
            assertEquals("HOSP", r.get("MSH[1]-6"));
        }
        assertEquals("StudyInstanceUID", string("select hl7_order_key from delivery"));
        assertEquals("delivered", string("select state from delivery"));
    }

    @Test
    void aStudyThatWasNotAnalyzedIsSentOnlyWhereTheSiteAsked() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        Hl7Options d = Hl7Options.defaults();
        Hl7Options notAnalyzedToo = new Hl7Options(d.sendingApplication(), d.sendingFacility(), d.receivingApplication(), d.receivingFacility(),
                "P", d.accessionNumberIn(), d.priorityMessage(), "XO", d.priorityCodes(), d.priorityFields(), "", d.codingSystem(), "",
                d.procedureText(), "", d.characterSet(), true);
        Pipeline pipeline = pipeline(true, hl7("ris-all", port, false, notAnalyzedToo, Duration.ofSeconds(5)),
                hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded lateral = seedStudy(List.of(-1.0), true);
        runUntilIdle(pipeline);

        assertEquals(1, count("select count(*) from delivery"));
        assertEquals("ris-all delivered", string("select destination || ' ' || state from delivery"));
        PythonRis.Received r = ris.received().get(0);
        assertEquals("ORU^R01^ORU_R01", r.type());
        assertEquals(lateral.accession(), r.get("OBR[1]-3"));
        assertEquals("NOT_ANALYZED", r.get("OBX[1]-5.1"));
        assertEquals(-1, r.observation("AI-SCORE"));
        assertEquals("Not analyzed: no eligible image: ViewPosition is 'LL'", r.get("NTE[1]-3"));
    }

    @Test
    void aRisListeningWithTlsGetsTheMessagesOverTls() throws Exception {
        Path cert = work.resolve("ris-cert.pem"), key = work.resolve("ris-key.pem"), trust = work.resolve("trust.p12");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "ris", "-file",
                cert.toString(), "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        int port = freePort();
        PythonRis ris = track(PythonRis.start(work, port, "AA", "", new Path[] {cert, key}));
        Destination tls = Destination.hl7("ris", false, new Hl7Destination(new Hl7Endpoint("127.0.0.1", port, true, trust, "changeit",
                Duration.ofSeconds(5), Duration.ofSeconds(5)), Hl7Options.defaults()));
        Seeded study = seedStudy(List.of(0.3), true);
        runUntilIdle(pipeline(true, tls));
        assertEquals("delivered", string("select state from delivery"));
        assertEquals(study.accession(), ris.received().get(0).get("OBR[1]-3"));

        // Without the RIS's certificate in its trust store the router does not talk to it.
        Destination untrusted = Destination.hl7("ris", false, new Hl7Destination(new Hl7Endpoint("127.0.0.1", port, true, null, null,
                Duration.ofSeconds(5), Duration.ofSeconds(5)), Hl7Options.defaults()));
        new DestinationHealth(database, List.of(untrusted), pipeline(true, untrusted).dispatch().client()).checkAll();
        assertEquals("false", string("select ok::text from destination_health"));
        assertTrue(string("select message from destination_health").contains("cannot connect"), string("select message from destination_health"));
    }

    // --- the pipeline around the destinations

    private record Pipeline(ReportSettings report, DispatchSettings dispatch) {}

    private static Destination hl7(String name, int port, boolean shadow, Hl7Options options, Duration ackTimeout) {
        return Destination.hl7(name, shadow, new Hl7Destination(new Hl7Endpoint("127.0.0.1", port, false, null, null, Duration.ofSeconds(2),
                ackTimeout), options));
    }

    private Pipeline pipeline(boolean clinicalUse, Destination... destinations) {
        ClientSettings client = new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null);
        List<ResultRecipient> recipients = Arrays.stream(destinations).map(d -> new ResultRecipient(d.name(), d.shadow(), d.keyObjects(),
                d.isHl7() && d.hl7().options().sendNotAnalyzed())).toList();
        return new Pipeline(new ReportSettings("cxr", "1", false, "default", 0.5, Duration.ZERO, Duration.ofMinutes(10), recipients, 5, "node-a",
                clinicalUse), new DispatchSettings(List.of(destinations), client));
    }

    private void runUntilIdle(Pipeline pipeline) throws Exception {
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker report = reportWorker(leases, pipeline); StageWorker dispatch = dispatchWorker(leases, pipeline)) {
            new StudyCompletion(database, pipeline.report()).sweep();
            await(() -> count("select count(*) from job where kind in ('report', 'dispatch') and state in ('queued', 'running')") == 0, 60);
        }
    }

    private StageWorker reportWorker(LeaseKeeper leases, Pipeline pipeline) {
        return new StageWorker(database, leases, new StageWorker.Settings(JobKind.REPORT, "report-1", null, 4, Duration.ofMillis(100),
                RetryPolicy.DEFAULT), new ReportStage(database, pipeline.report())).start();
    }

    private StageWorker dispatchWorker(LeaseKeeper leases, Pipeline pipeline) {
        return new StageWorker(database, leases, new StageWorker.Settings(JobKind.DISPATCH, "dispatch-1", null, 1, Duration.ofMillis(100),
                new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(1))), new DispatchStage(database, pipeline.dispatch())).start();
    }

    private PythonRis ris(int port, String ack) throws Exception {
        return track(PythonRis.start(work, port, ack));
    }

    private PythonRis track(PythonRis ris) {
        peers.add(ris);
        return ris;
    }

    private static PythonRis.Received byAccession(List<PythonRis.Received> messages, String accession) {
        List<PythonRis.Received> matching = messages.stream().filter(m -> m.get("ORC[1]-3").equals(accession)).toList();
        assertEquals(1, matching.size(), "messages for " + accession);
        return matching.get(0);
    }

    // --- seeded studies: images on disk and in the tables, their attributes kept as ingest keeps them

    private Seeded seedStudy(List<Double> scores, boolean released) throws Exception {
        return seedStudy(scores, released, true);
    }

    private Seeded seedStudy(List<Double> scores, boolean released, boolean withAccession) throws Exception {
        List<Path> files = SyntheticChestImages.writeSet(work.resolve("study-" + imageSeed), Math.max(2, scores.size()), 200, 160, imageSeed);
        imageSeed += 10;
        if (!withAccession) for (Path f : files) run("dcmodify", "-nb", "-ma", "(0008,0050)=", f.toString());
        String study = InstanceFiles.readHeader(files.get(0)).studyInstanceUid();
        String association = "assoc-" + study;
        try (Connection c = database.connection()) {
            exec(c, "insert into association (id, node, calling_ae_title, called_ae_title, remote_address, opened_at, closed_at, released, "
                    + "instance_count) values ('" + association + "', 'node-a', 'MOD', 'TRIAGE', 'x', now() - interval '1 minute', "
                    + "now() - interval '1 minute', " + released + ", " + scores.size() + ")");
            for (int i = 0; i < scores.size(); i++) insertImage(c, files.get(i), scores.get(i), association);
        }
        StudyAttributes.Patient p = StudyAttributes.patient(StudyAttributes.read(files.get(0)));
        return new Seeded(study, p.accessionNumber(), p.id());
    }

    private void addImage(String study, double score) throws Exception {
        Path dir = work.resolve("late-" + imageSeed);
        try (Connection c = database.connection()) {
            String series = string("select se.series_instance_uid from series se join study s on s.id = se.study_id where s.study_instance_uid = '"
                    + study + "' limit 1");
            SyntheticChestImages.Spec spec = new SyntheticChestImages.Spec("DX", "PA", false, 200, 160, imageSeed++, "SYNLATE", study, series,
                    Uids.newUid());
            Files.createDirectories(dir);
            Path file = dir.resolve("late.dcm");
            SyntheticChestImages.write(spec, file);
            String association = "late-" + spec.sopInstanceUid();
            exec(c, "insert into association (id, node, calling_ae_title, called_ae_title, remote_address, opened_at, closed_at, released, "
                    + "instance_count) values ('" + association + "', 'node-a', 'MOD', 'TRIAGE', 'x', now(), now() - interval '1 second', true, 1)");
            insertImage(c, file, score, association);
        }
    }

    private void insertImage(Connection c, Path file, double score, String association) throws Exception {
        InstanceHeader h = InstanceFiles.readHeader(file);
        try (PreparedStatement s = c.prepareStatement("insert into study (study_instance_uid, attributes) values (?, ?) on conflict do nothing")) {
            s.setString(1, h.studyInstanceUid());
            s.setBytes(2, StudyAttributes.read(file));
            s.executeUpdate();
        }
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

    // --- small things

    private long resultId(Seeded study) throws Exception {
        return count("select r.id from study_result r join study s on s.id = r.study_id where s.study_instance_uid = '" + study.uid()
                + "' order by r.revision desc limit 1");
    }

    /** "orderKey {types} {control IDs} {ack codes}" of a study's latest delivery to a destination. */
    private String deliveryHl7(Seeded study, String destination) throws Exception {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select d.hl7_order_key, d.hl7_message_types, d.hl7_control_ids, d.hl7_ack_codes
                       from delivery d join study_result r on r.id = d.study_result_id join study s on s.id = r.study_id
                      where s.study_instance_uid = ? and d.destination = ? order by r.revision desc limit 1""")) {
            s.setString(1, study.uid());
            s.setString(2, destination);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                List<String> parts = new ArrayList<>(List.of(rs.getString(1)));
                for (int i = 2; i <= 4; i++) {
                    Array a = rs.getArray(i);
                    assertNotNull(a);
                    parts.add(a.toString());
                }
                return String.join(" ", parts);
            }
        }
    }

    private static void await(Callable<Boolean> condition, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.call()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not within " + seconds + " s");
            Thread.sleep(50);
        }
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
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
