package org.triagerouter.prepare;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;

/**
 * The prepare stage's rows: an instance's eligibility, and for an eligible image its canonical rendering, its model-ready
 * inputs and its infer job.
 */
public final class PrepareRecords {
    private PrepareRecords() {}

    /** One model-ready input: {@code geometry.pixels()} bytes, 8-bit grayscale, row by row. */
    public record ModelInput(ModelGeometry geometry, byte[] pixels) {
        public ModelInput {
            if (pixels.length != geometry.pixels()) {
                throw new IllegalArgumentException(geometry.key() + " input needs " + geometry.pixels() + " bytes, got " + pixels.length);
            }
        }
    }

    /** What an eligible image leaves behind once rendered, without model-ready inputs (the infer stage derives them). */
    public static void rendered(Connection c, long instanceId, String sopInstanceUid, EligibilityRules.Decision decision, Gray8Image image,
                                byte[] png, int renderMs, int priority) throws SQLException {
        rendered(c, instanceId, sopInstanceUid, decision, image, png, List.of(), renderMs, priority);
    }

    /** What an eligible image leaves behind once rendered: its eligibility, its canonical image, its model inputs, and the infer job. */
    public static void rendered(Connection c, long instanceId, String sopInstanceUid, EligibilityRules.Decision decision, Gray8Image image,
                                byte[] png, List<ModelInput> inputs, int renderMs, int priority) throws SQLException {
        eligibility(c, instanceId, decision);
        canonical(c, instanceId, image, png, renderMs);
        modelInputs(c, instanceId, inputs);
        // Infer jobs float free: the canonical image is in the database, any node may score it.
        JobQueue.enqueue(c, JobKind.PREPARE.next(), sopInstanceUid, priority);
    }

    public static void eligibility(Connection c, long instanceId, EligibilityRules.Decision decision) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into eligibility (instance_id, eligible, rule, reason) values (?, ?, ?, ?)
                on conflict (instance_id) do update set eligible = excluded.eligible, rule = excluded.rule,
                    reason = excluded.reason, decided_at = now()""")) {
            s.setLong(1, instanceId);
            s.setBoolean(2, decision.eligible());
            s.setString(3, decision.rule());
            s.setString(4, decision.reason());
            s.executeUpdate();
        }
    }

    private static void canonical(Connection c, long instanceId, Gray8Image image, byte[] png, int renderMs) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into canonical_image (instance_id, png, width, height, source_width, source_height,
                                             window_center, window_width, window_source, render_ms)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (instance_id) do update set png = excluded.png, width = excluded.width, height = excluded.height,
                    rendered_at = now()""")) {
            s.setLong(1, instanceId);
            s.setBytes(2, png);
            s.setInt(3, image.width());
            s.setInt(4, image.height());
            s.setInt(5, image.sourceWidth());
            s.setInt(6, image.sourceHeight());
            if (Double.isNaN(image.windowCenter())) s.setNull(7, java.sql.Types.DOUBLE);
            else s.setDouble(7, image.windowCenter());
            if (Double.isNaN(image.windowWidth())) s.setNull(8, java.sql.Types.DOUBLE);
            else s.setDouble(8, image.windowWidth());
            s.setString(9, image.windowSource());
            s.setInt(10, renderMs);
            s.executeUpdate();
        }
    }

    private static void modelInputs(Connection c, long instanceId, List<ModelInput> inputs) throws SQLException {
        // Inputs of other geometries were derived from the canonical image this one replaces: drop them (derived again on demand).
        try (PreparedStatement s = c.prepareStatement("delete from model_input where instance_id = ? and not (geometry = any (?))")) {
            s.setLong(1, instanceId);
            s.setArray(2, c.createArrayOf("text", inputs.stream().map(input -> input.geometry().key()).toArray()));
            s.executeUpdate();
        }
        if (inputs.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement("""
                insert into model_input (instance_id, geometry, width, height, pixels) values (?, ?, ?, ?, ?)
                on conflict (instance_id, geometry) do update set pixels = excluded.pixels, created_at = now()""")) {
            for (ModelInput input : inputs) {
                s.setLong(1, instanceId);
                s.setString(2, input.geometry().key());
                s.setInt(3, input.geometry().width());
                s.setInt(4, input.geometry().height());
                s.setBytes(5, input.pixels());
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
