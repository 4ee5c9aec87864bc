package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import org.triagerouter.app.serve.StageWorkers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.triagerouter.analysis.TruthLabel;
import org.triagerouter.analysis.evaluation.Evaluation;
import org.triagerouter.analysis.evaluation.EvaluationReport;
import org.triagerouter.analysis.evaluation.EvaluationSettings;
import org.triagerouter.analysis.evaluation.GroundTruthCsv;
import org.triagerouter.analysis.evaluation.LabelledScore;
import org.triagerouter.analysis.evaluation.NamedThreshold;
import org.triagerouter.analysis.evaluation.ThresholdForSensitivity;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.store.Database;
import org.triagerouter.store.GroundTruth;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The model measured on the router's own studies against ground truth: ROC AUC with a bootstrap interval,
 * the manifest's operating points, calibration, and thresholds for target sensitivities, written into a copy
 * of the manifest so a site can adopt one after review.
 */
@Command(name = "evaluate", footer = {"", "Example:", "  triage-router evaluate --labels reads.csv"}, description = "Measure the model on studies with ground truth (a labels file, or the final reads posted to the API).",
        sortOptions = false)
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--labels", description = "CSV: study_uid (or accession) and label (normal/abnormal or 0/1); default: the reads in the database")
    Path labels;

    @Option(names = "--record", description = "also store the file's labels as final reads (the dashboard's agreement then counts them)")
    boolean record;

    @Option(names = "--manifest", description = "model manifest (default: the configured model, else the demo model)")
    Path manifestFile;

    @Option(names = "--target-sensitivity", split = ",", description = "sensitivities to choose thresholds for (default 0.90,0.95,0.98)")
    List<Double> targets = List.of(0.90, 0.95, 0.98);

    @Option(names = "--bootstrap", description = "bootstrap resamples for the AUC interval (default 2000)")
    int resamples = 2000;

    @Option(names = "--seed", description = "bootstrap seed (default 1)")
    long seed = 1;

    @Option(names = "--out", description = "folder for evaluation.md, roc.png and the manifest copy (default evaluation-report)")
    Path out = Path.of("evaluation-report");

    @Option(names = "--config", description = "router configuration (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try {
            RouterConfig settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
            ModelManifest manifest = ModelManifest.load(manifestFile != null ? manifestFile : StageWorkers.manifestPath(settings));
            List<LabelledScore> scores;
            try (Database database = new Database(settings.databaseSettings())) {
                scores = labels != null ? fromFile(database, manifest) : fromDatabase(database, manifest);
            }
            if (scores.isEmpty()) throw new IllegalArgumentException("no labelled study has a result from model " + manifest.id() + " " + manifest.version());
            List<NamedThreshold> points = manifest.operatingPoints().stream().map(p -> new NamedThreshold(p.name(), p.threshold())).toList();
            Evaluation evaluation = Evaluation.of(scores, new EvaluationSettings(points, targets, resamples, 0.95, seed, 10));
            EvaluationReport report = new EvaluationReport(evaluation);
            System.out.println("model " + manifest.id() + " " + manifest.version() + (manifest.demo() ? " (DEMO MODEL: its scores mean nothing)" : ""));
            System.out.print(report.table());
            Files.createDirectories(out);
            report.writeMarkdown(out.resolve("evaluation.md"), out.resolve("roc.png"));
            Path copy = out.resolve(manifest.id() + "-evaluated.yaml");
            writeManifestCopy(manifest, evaluation, copy);
            System.out.println("report: " + out.resolve("evaluation.md") + " (ROC " + out.resolve("roc.png") + "); manifest copy with the "
                    + "target-sensitivity thresholds: " + copy);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("triage-router evaluate: " + e.getMessage());
            return 2;
        } catch (RouterConfig.ConfigException e) {
            System.err.println("triage-router evaluate: bad configuration: " + e.getMessage());
            return 2;
        } catch (IOException | SQLException e) {
            System.err.println("triage-router evaluate: " + e.getMessage());
            return 1;
        }
    }

    /** The labels file joined to each study's latest reported score from this model, by Study Instance UID or accession number. */
    private List<LabelledScore> fromFile(Database database, ModelManifest manifest) throws IOException, SQLException {
        GroundTruthCsv.GroundTruth truth = GroundTruthCsv.read(labels);
        boolean byAccession = truth.keyColumn().equals("accession");
        Map<String, Double> scores = new LinkedHashMap<>();
        try (Connection c = database.connection();
             PreparedStatement q = c.prepareStatement("select key, score from (select " + (byAccession ? "s.accession_number" : "s.study_instance_uid")
                     + " as key, " + ReportedScore.OF_STUDY + " as score from study s) k where score is not null")) {
            q.setString(1, manifest.id());
            q.setString(2, manifest.version());
            java.util.Set<String> ambiguous = new java.util.HashSet<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null && scores.put(rs.getString(1), rs.getDouble(2)) != null) ambiguous.add(rs.getString(1));
                }
            }
            // An accession number shared by studies cannot say which study its label is about.
            scores.keySet().removeAll(ambiguous);
            if (!ambiguous.isEmpty()) System.err.printf("%d accession number(s) match several studies: left out%n", ambiguous.size());
        }
        List<LabelledScore> labelled = new ArrayList<>();
        int missing = 0;
        GroundTruth reads = new GroundTruth(database);
        for (Map.Entry<String, TruthLabel> e : truth.labels().entrySet()) {
            Double score = scores.get(e.getKey());
            if (score == null) {
                missing++;
                continue;
            }
            labelled.add(new LabelledScore(e.getKey(), score, e.getValue().isAbnormal()));
            if (record) recordRead(reads, byAccession, e.getKey(), e.getValue());
        }
        if (missing > 0) {
            System.err.printf("%d of %d labelled studies have no reported result from %s %s: left out%n", missing, truth.labels().size(),
                    manifest.id(), manifest.version());
        }
        return labelled;
    }

    private void recordRead(GroundTruth reads, boolean byAccession, String key, TruthLabel label) throws SQLException {
        try {
            reads.record(new GroundTruth.FinalRead(byAccession ? null : key, byAccession ? key : null, label.name(), null),
                    labels.getFileName().toString());
        } catch (GroundTruth.UnknownStudyException e) {
            System.err.println("not recorded: " + e.getMessage());
        }
    }

    /** The final reads posted to the API, joined the same way. */
    private static List<LabelledScore> fromDatabase(Database database, ModelManifest manifest) throws SQLException {
        List<LabelledScore> labelled = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement q = c.prepareStatement("select * from (select s.study_instance_uid, " + ReportedScore.OF_STUDY
                     + " as score, g.label from study s join ground_truth g on g.study_id = s.id) k where score is not null")) {
            q.setString(1, manifest.id());
            q.setString(2, manifest.version());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) labelled.add(new LabelledScore(rs.getString(1), rs.getDouble(2), "ABNORMAL".equals(rs.getString(3))));
            }
        }
        return labelled;
    }

    /**
     * The manifest as loaded, plus one operating point per target sensitivity (validation figures included),
     * the model file made absolute so the copy works from any folder. Checked by loading it back.
     */
    static void writeManifestCopy(ModelManifest manifest, Evaluation evaluation, Path copy) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> yaml = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(manifest.source()));
        yaml.put("file", manifest.modelFile().toAbsolutePath().toString());
        @SuppressWarnings("unchecked")
        List<Object> points = new ArrayList<>((List<Object>) yaml.getOrDefault("operatingPoints", List.of()));
        for (ThresholdForSensitivity t : evaluation.thresholdsForSensitivity()) {
            String name = String.format(java.util.Locale.ROOT, "sensitivity-%.0f", t.targetSensitivity() * 100);
            points.removeIf(p -> p instanceof Map<?, ?> m && name.equals(m.get("name")));
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("name", name);
            point.put("threshold", t.threshold());
            point.put("sensitivity", round(t.achieved().sensitivity()));
            point.put("specificity", round(t.achieved().specificity()));
            points.add(point);
        }
        yaml.put("operatingPoints", points);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String text = "# " + manifest.id() + " " + manifest.version() + " with thresholds chosen by `triage-router evaluate` on "
                + evaluation.roc().points().size() + " ROC points (" + java.time.LocalDate.now() + ").\n"
                + "# Review before use: the sensitivity/specificity are this evaluation's, on this site's labelled studies.\n"
                + new Yaml(options).dump(yaml);
        ModelManifest.parse(text, copy); // refuses a copy the router would refuse
        Files.writeString(copy, text);
    }

    private static double round(double value) { return Math.round(value * 10_000) / 10_000.0; }
}
