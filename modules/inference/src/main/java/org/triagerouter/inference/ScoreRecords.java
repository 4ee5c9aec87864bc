package org.triagerouter.inference;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The infer stage's row: what one model version said about one image, and how the batch that said it ran. */
public final class ScoreRecords {
    private ScoreRecords() {}

    /** How the batch that scored an image ran, kept beside each of its scores. */
    public record Batch(String provider, int size, int tensorMs, int runMs, String node) {}

    /** One score per image and model version: a job that comes back after its lease expired adds nothing. */
    public static void insert(Connection c, long instanceId, ModelManifest model, ModelScore score, Batch batch) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores,
                                   provider, batch_size, tensor_ms, run_ms, node)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (instance_id, model_id, model_version) do nothing""")) {
            s.setLong(1, instanceId);
            s.setString(2, model.id());
            s.setString(3, model.version());
            s.setBoolean(4, model.demo());
            s.setDouble(5, score.score());
            s.setString(6, score.priority().name());
            s.setString(7, String.join(",", score.positiveOperatingPoints()));
            StringBuilder labels = new StringBuilder();
            score.labelProbabilities().forEach((label, p) -> labels.append(labels.isEmpty() ? "" : ",").append(label).append('=')
                    .append(String.format(java.util.Locale.ROOT, "%.4f", p)));
            s.setString(8, labels.toString());
            s.setString(9, batch.provider());
            s.setInt(10, batch.size());
            s.setInt(11, batch.tensorMs());
            s.setInt(12, batch.runMs());
            s.setString(13, batch.node());
            s.executeUpdate();
        }
    }
}
