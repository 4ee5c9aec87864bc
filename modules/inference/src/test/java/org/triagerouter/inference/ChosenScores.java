package org.triagerouter.inference;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * The infer stage with the model's say replaced by the score a test chooses for each image: the score row is written by
 * {@link ScoreRecords} with the infer job's completion, its priority band and operating points read from the manifest.
 * An image given no score fails its job, as an inference failure does.
 */
public final class ChosenScores implements StageWorker.Handler {
    private static final String MANIFEST = """
            id: %s
            version: "%s"
            file: chosen.onnx
            input: {name: image, layout: NCHW, channels: 1, height: 224, width: 224}
            resize: stretch
            normalization: {type: range, min: 0.0, max: 1.0}
            output: {name: logit, activation: sigmoid, labels: [abnormal]}
            score: {label: abnormal}
            operatingPoints:
              - {name: %s, threshold: %s}
            priorityBands:
              - {from: 0.8, to: 1.0, priority: URGENT}
              - {from: 0.5, to: 0.8, priority: HIGH}
              - {from: 0.0, to: 0.5, priority: ROUTINE}
            clinicalUse: false
            """;

    private final Database database;
    private final ModelManifest model;
    private final Map<String, Double> bySopInstanceUid;

    public ChosenScores(Database database, ModelManifest model, Map<String, Double> bySopInstanceUid) {
        this.database = database;
        this.model = model;
        this.bySopInstanceUid = Map.copyOf(bySopInstanceUid);
    }

    /** A one-label model: one operating point, priority URGENT from 0.8, HIGH from 0.5, ROUTINE below. */
    public static ModelManifest manifest(String id, String version, String operatingPoint, double threshold) throws InvalidManifestException {
        return ModelManifest.parse(MANIFEST.formatted(id, version, operatingPoint, threshold), Path.of(id + ".yaml"));
    }

    @Override
    public Outcome handle(Job job) throws SQLException {
        Double chosen = bySopInstanceUid.get(job.subject());
        if (chosen == null) return Outcome.failed("inference failed: no score for " + job.subject());
        double score = chosen;
        ModelScore said = new ModelScore(score, new ScoreReader(model).priorityOf(score),
                model.operatingPoints().stream().filter(p -> p.passes(score)).map(ModelManifest.OperatingPoint::name).toList(),
                Map.of(model.output().labels().get(0), score));
        long instanceId = instanceId(job.subject());
        return Outcome.done(c -> ScoreRecords.insert(c, instanceId, model, said, new ScoreRecords.Batch("cpu", 1, 0, 0, "test")));
    }

    private long instanceId(String sopInstanceUid) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select id from instance where sop_instance_uid = ?")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) throw new SQLException("no instance " + sopInstanceUid);
                return rs.getLong(1);
            }
        }
    }
}
