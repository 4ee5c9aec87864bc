package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.inference.DemoModel;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.GroundTruth;
import org.triagerouter.store.testing.PostgresExtension;
import picocli.CommandLine;

/** `simulate` and `evaluate` as a user runs them: files and the router's own database in, tables, charts and reports out. */
class AnalysisCommandsTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    @TempDir Path work;
    int arrivals;

    record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void simulateFromACsvGivesTheHandComputedTurnarounds() throws Exception {
        // One radiologist, 15 minutes per study. Arrivals at 0, 1 and 2 min; the third is abnormal and flagged (score 0.9).
        // FIFO: 1st read 0-15 (15 min), 2nd 15-30 (29 min), 3rd 30-45 (43 min).
        // AI-prioritised: at 15 min the flagged 3rd goes first: 15-30 (28 min), then the 2nd 30-45 (44 min).
        Path csv = Files.writeString(work.resolve("arrivals.csv"), "id,arrival,label,score\na,0,normal,0.1\nb,60,normal,0.2\nc,120,abnormal,0.9\n");
        Path out = work.resolve("report");
        Run run = run("simulate", "--arrivals", "csv", "--arrivals-csv", csv.toString(), "--threshold", "0.5", "--radiologists", "1",
                "--reading-time", "fixed:900", "--wait-cap", "0", "--replications", "1", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*abnormal\\s+FIFO\\s+1\\s+43\\.0.*"), run.out());
        assertTrue(run.out().matches("(?s).*abnormal\\s+AI-prioritised\\s+1\\s+28\\.0\\s+-34\\.9%.*"), run.out());
        assertTrue(run.out().matches("(?s).*normal\\s+FIFO\\s+2\\s+22\\.0.*"), run.out());
        assertTrue(run.out().matches("(?s).*normal\\s+AI-prioritised\\s+2\\s+29\\.5\\s+\\+34\\.1%.*"), run.out());
        assertTrue(run.err().contains("100%"), "progress shown: " + run.err());
        assertNotNull(ImageIO.read(out.resolve("simulation.png").toFile()), "a PNG chart");
        assertTrue(Files.readString(out.resolve("simulation.md")).contains("43.0"), "the markdown report has the table");
    }

    @Test
    void simulateRefusesAScenarioWithAnUnknownSetting() throws Exception {
        Path scenario = Files.writeString(work.resolve("s.yaml"), "radiologists: 2\nreadingTim:\n  normal: fixed:60\n");
        Run run = run("simulate", "--scenario", scenario.toString(), "--out", work.resolve("r").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown setting 'readingTim.normal'"), run.err());
    }

    @Test
    void simulateReplaysTheRoutersStudiesThatHaveFinalReads() throws Exception {
        Database database = postgres.database();
        Path config = config(database.settings());
        Run none = run("simulate", "--arrivals", "database", "--config", config.toString(), "--out", work.resolve("r0").toString());
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("has a final read"), none.err());
        reported(database, Map.of("2.25.11", 0.2, "2.25.12", 0.3, "2.25.13", 0.95));
        read(database, "2.25.11", "NORMAL");
        read(database, "2.25.12", "NORMAL");
        read(database, "2.25.13", "ABNORMAL");
        // No AI given: the router's own scores at its configured operating point (the demo model's 0.5).
        Run run = run("simulate", "--arrivals", "database", "--radiologists", "1", "--reading-time", "fixed:900",
                "--wait-cap", "0", "--replications", "1", "--config", config.toString(), "--out", work.resolve("r1").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.readString(work.resolve("r1/simulation.md")).contains("flagged when score >= 0.500"), "the report names the threshold used");
        // Same arithmetic as the CSV case: the stored arrivals are 1 minute apart, the stored score flags the third.
        assertTrue(run.out().matches("(?s).*abnormal\\s+AI-prioritised\\s+1\\s+28\\.0.*"), run.out());

        // A read study the model reported nothing on has no score: flagging by score refuses and names it.
        received(database, "2.25.14");
        read(database, "2.25.14", "NORMAL");
        Run refused = run("simulate", "--arrivals", "database", "--threshold", "0.5", "--config", config.toString(),
                "--out", work.resolve("r2").toString());
        assertEquals(2, refused.exitCode(), refused.out());
        assertTrue(refused.err().contains("2.25.14"), refused.err());
    }

    @Test
    void evaluateMeasuresTheModelAndWritesAManifestCopyWithChosenThresholds() throws Exception {
        DatabaseSettings db = postgres.settings();
        Path manifest = DemoModel.write(work.resolve("model"));
        StringBuilder labels = new StringBuilder("study_uid,label\n");
        double[] scores = {0.9, 0.8, 0.4, 0.5, 0.3, 0.1};
        Map<String, Double> reported = new HashMap<>();
        for (int i = 0; i < scores.length; i++) {
            String uid = "2.25.2" + i;
            reported.put(uid, scores[i]);
            labels.append(uid).append(',').append(i < 3 ? "abnormal" : "normal").append('\n');
        }
        reported(postgres.database(), reported);
        labels.append("2.25.999,abnormal\n");
        Path labelsFile = Files.writeString(work.resolve("labels.csv"), labels.toString());
        Path out = work.resolve("evaluation");
        Run run = run("evaluate", "--labels", labelsFile.toString(), "--record", "--manifest", manifest.toString(), "--bootstrap", "200",
                "--config", config(db).toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        // Pairs (abnormal, normal) ranked right: 0.9 and 0.8 beat all three normals, 0.4 beats 0.3 and 0.1: 8 of 9.
        assertTrue(run.out().contains("AUC 0.889"), run.out());
        assertTrue(run.err().contains("1 of 7 labelled studies have no reported result"), run.err());
        assertNotNull(ImageIO.read(out.resolve("roc.png").toFile()));
        ModelManifest copy = ModelManifest.load(out.resolve("triage-demo-evaluated.yaml"));
        ModelManifest.OperatingPoint chosen = copy.operatingPoints().stream().filter(p -> p.name().equals("sensitivity-90")).findFirst().orElseThrow();
        assertEquals(0.4, chosen.threshold(), 1e-9, "the highest threshold that keeps all three abnormal studies");
        assertEquals(1.0, chosen.sensitivity(), 1e-9);
        assertEquals(2.0 / 3, chosen.specificity(), 1e-4);
        try (Connection c = postgres.database().connection();
             ResultSet rs = c.createStatement().executeQuery("select count(*) from ground_truth")) {
            rs.next();
            assertEquals(6, rs.getInt(1), "--record stores the file's labels as final reads");
        }
        Run fromReads = run("evaluate", "--manifest", manifest.toString(), "--bootstrap", "200", "--config", config(db).toString(),
                "--out", work.resolve("again").toString());
        assertEquals(0, fromReads.exitCode(), fromReads.err());
        assertTrue(fromReads.out().contains("AUC 0.889"), "the recorded reads give the same answer: " + fromReads.out());
    }

    private Path config(DatabaseSettings db) throws Exception {
        return Files.writeString(work.resolve("router-" + db.url().hashCode() + ".yaml"), "database:\n  url: " + db.url() + "\n  user: " + db.user()
                + "\n  password: \"" + db.password() + "\"\ninference:\n  demoModelDir: " + work.resolve("demo-model") + "\n");
    }

    /**
     * One-image studies received through the ingest stage a minute apart, in the order of their UIDs, then prepared, scored
     * and reported with the demo model (no destination), each with the score given.
     */
    private void reported(Database database, Map<String, Double> scoreByStudy) throws Exception {
        Map<String, Double> bySop = new LinkedHashMap<>();
        for (Map.Entry<String, Double> study : new TreeMap<>(scoreByStudy).entrySet()) bySop.put(received(database, study.getKey()), study.getValue());
        ModelManifest demo = ModelManifest.load(DemoModel.write(work.resolve("scoring-model")));
        InlinePipeline stages = new InlinePipeline(database, "node-a");
        stages.prepareAndScore(demo, bySop);
        for (String study : new TreeMap<>(scoreByStudy).keySet()) stages.report(stages.reportSettings(demo, List.of()), study);
    }

    /** A one-image study received through the ingest stage, arriving a minute after the one before (the first an hour ago); returns its SOP Instance UID. */
    private String received(Database database, String study) throws Exception {
        Path file = work.resolve(study + ".dcm");
        SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 200, 160, arrivals, String.format("SYN%06d", arrivals), study,
                study + ".0", study + ".1"), file);
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, "node-a"), "MOD")) {
            modality.store(file);
        }
        // The ingest stage stamps the arrival now: the simulation replays arrivals, so space them as a day's would be.
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("update study set first_received_at = now() - interval '1 hour' + ? * interval '1 minute' "
                     + "where study_instance_uid = ?")) {
            s.setInt(1, arrivals++);
            s.setString(2, study);
            s.executeUpdate();
        }
        return study + ".1";
    }

    private static void read(Database database, String study, String label) throws Exception {
        new GroundTruth(database).record(new GroundTruth.FinalRead(study, null, label, null), "test");
    }
}
