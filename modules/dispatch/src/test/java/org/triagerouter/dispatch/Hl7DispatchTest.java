package org.triagerouter.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.StudyAttributes;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.dispatch.testing.PythonRis;
import org.triagerouter.hl7.Hl7Endpoint;
import org.triagerouter.hl7.Hl7Options;
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
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.StageWorker;
import org.triagerouter.store.testing.PostgresExtension;

/**
 * HL7 v2 destinations end to end: complete studies' rows through the real report and dispatch stages to a
 * RIS the project did not write (python-hl7's MLLP server), which parses every message with python-hl7 and
 * answers with the ACK a test chooses. Checks what the RIS read and what the delivery rows say.
 */
class Hl7DispatchTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();

    /** The model the studies are scored with: URGENT from 0.8, HIGH from 0.5; abnormal from 0.5 (operating point "default"). */
    static ModelManifest cxr;

    @TempDir
    Path work;
    Database database;
    IngestSettings ingest;
    InlinePipeline stages;
    final List<AutoCloseable> peers = new ArrayList<>();
    int imageSeed = 300;

    /** A seeded study as the RIS knows it. */
    record Seeded(String uid, String accession, String patientId) {}

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
        for (AutoCloseable p : peers) p.close();
    }

    @Test
    void eachStudyGetsOneOruWithItsAccessionCategoryScoreAndPriorityAndUrgentAndHighAlsoAnOrm() throws Exception {
        int port = freePort();
        PythonRis ris = ris(port, "AA");
        Pipeline pipeline = pipeline(false, hl7("ris", port, false, Hl7Options.defaults(), Duration.ofSeconds(5)),
                hl7("ris-shadow", port, true, Hl7Options.defaults(), Duration.ofSeconds(5)));
        Seeded urgent = seedStudy(List.of(0.91, -1.0));
        Seeded high = seedStudy(List.of(0.6));
        Seeded routine = seedStudy(List.of(0.2));

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
        Seeded study = seedStudy(List.of(0.93));
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
        Seeded study = seedStudy(List.of(0.3));
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
        Seeded study = seedStudy(List.of(0.95));
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
        Seeded study = seedStudy(List.of(0.6));
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
        Seeded study = seedStudy(List.of(0.3));
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
        Seeded study = seedStudy(List.of(0.92), false);
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
        Seeded lateral = seedStudy(List.of(-1.0));
        runUntilIdle(pipeline);

        assertEquals(1, count("select count(*) from delivery"));
        assertEquals("ris-all delivered", string("select destination || ' ' || state from delivery"));
        PythonRis.Received r = ris.received().get(0);
        assertEquals("ORU^R01^ORU_R01", r.type());
        assertEquals(lateral.accession(), r.get("OBR[1]-3"));
        assertEquals("NOT_ANALYZED", r.get("OBX[1]-5.1"));
        assertEquals(-1, r.observation("AI-SCORE"));
        assertTrue(r.get("NTE[1]-3").startsWith("Not analyzed: no eligible image"), r.get("NTE[1]-3"));
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
        Seeded study = seedStudy(List.of(0.3));
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
        List<ResultRecipient> recipients = org.triagerouter.dispatch.testing.InlinePipeline.recipients(List.of(destinations));
        return new Pipeline(new ReportSettings("cxr", "1", false, "default", 0.5, Duration.ZERO, Duration.ofMinutes(10), recipients, 5, "node-a",
                clinicalUse), new DispatchSettings(List.of(destinations), client));
    }

    private byte[] bytes(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getBytes(1);
        }
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

    // --- seeded studies: received by ingest (which keeps their attributes), prepared and scored by the stages

    private Seeded seedStudy(List<Double> scores) throws Exception {
        return seedStudy(scores, true);
    }

    /** A new study on one association; a negative score is a lateral image (not eligible). */
    private Seeded seedStudy(List<Double> scores, boolean withAccession) throws Exception {
        String study = Uids.newUid();
        Path first = receive(study, Uids.newUid(), String.format("SYN%06d", imageSeed), scores, withAccession);
        StudyAttributes.Patient p = StudyAttributes.patient(StudyAttributes.read(first));
        return new Seeded(study, p.accessionNumber(), p.id());
    }

    /** A late image, in its study's series and for its patient, on an association of its own. */
    private void addImage(String study, double score) throws Exception {
        receive(study, string("select se.series_instance_uid from series se join study s on s.id = se.study_id where s.study_instance_uid = '"
                + study + "' limit 1"), patientOf(study), List.of(score), true);
    }

    private String patientOf(String study) throws Exception {
        return StudyAttributes.patient(bytes("select attributes from study where study_instance_uid = '" + study + "'")).id();
    }

    private Path receive(String study, String series, String patient, List<Double> scores, boolean withAccession) throws Exception {
        Map<String, Double> chosen = new HashMap<>();
        Path first = null;
        try (InboundAssociation modality = new InboundAssociation(database, ingest, "MOD")) {
            for (double score : scores) {
                Path file = work.resolve("image-" + imageSeed + ".dcm");
                SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", score < 0 ? "LL" : "PA", false, 200, 160, imageSeed++, patient, study,
                        series, Uids.newUid()), file);
                if (!withAccession) run("dcmodify", "-nb", "-ma", "(0008,0050)=", file.toString());
                if (first == null) first = file;
                String sop = modality.store(file, Priority.MEDIUM);
                if (score >= 0) chosen.put(sop, score);
            }
        }
        stages.prepareAndScore(cxr, chosen);
        return first;
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
