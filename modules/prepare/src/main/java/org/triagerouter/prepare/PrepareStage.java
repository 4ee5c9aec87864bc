package org.triagerouter.prepare;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.dicom.pixels.ModelInputResampler;
import org.triagerouter.dicom.pixels.RenderException;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * The prepare stage, per instance: eligibility from the header; for an eligible image, the canonical
 * rendering and each configured model's ready input stored in PostgreSQL and an {@code infer} job ({@link PrepareRecords}); the stage runtime writes them with the job's completion.
 * An image that cannot be decoded is a FAILED job whose last error is the reason.
 */
public final class PrepareStage implements StageWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(PrepareStage.class);

    private final Database database;
    private final PrepareSettings settings;

    public PrepareStage(Database database, PrepareSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    private record InstanceFile(long id, Path path) {}

    @Override
    public Outcome handle(Job job) throws SQLException {
        try {
            return prepare(job);
        } catch (RuntimeException | OutOfMemoryError e) {
            // An image that breaks the decoder is that image's problem: FAILED with the reason, the others go on.
            log.warn("prepare {}: {}", job.subject(), e.toString());
            return Outcome.failed("cannot prepare: " + e);
        }
    }

    Outcome prepare(Job job) throws SQLException {
        String sop = job.subject();
        InstanceFile instance = find(sop);
        if (instance == null) return Outcome.failed("no instance row for " + sop);
        EligibilityRules.Decision decision;
        try {
            Map<String, String> header = InstanceFiles.readAttributes(instance.path(), settings.rules().keywords());
            decision = settings.rules().decide(header);
        } catch (IOException e) {
            log.warn("prepare {}: cannot read header: {}", sop, e.getMessage());
            // A header that does not parse will not parse next time either; a read error might.
            String reason = "cannot read header: " + e.getMessage();
            return e instanceof org.triagerouter.dicom.file.InvalidDatasetException ? Outcome.failed(reason) : Outcome.retry(reason);
        }
        if (!decision.eligible()) {
            log.info("prepare {}: not eligible ({})", sop, decision.reason());
            return Outcome.done(c -> PrepareRecords.eligibility(c, instance.id(), decision));
        }
        long start = System.nanoTime();
        Gray8Image image;
        byte[] png;
        List<PrepareRecords.ModelInput> inputs = new ArrayList<>();
        try {
            image = CanonicalRenderer.render(instance.path(), settings.maxSide());
            png = PngEncoder.encode(image);
            // Each model's input from the canonical pixels, so the infer stage only normalises (no PNG decode, no resize).
            for (ModelGeometry geometry : settings.modelInputs()) {
                inputs.add(new PrepareRecords.ModelInput(geometry,
                        ModelInputResampler.resample(image.pixels(), image.width(), image.height(), geometry)));
            }
        } catch (RenderException | IOException e) {
            log.warn("prepare {}: {}", sop, e.getMessage());
            return Outcome.failed(e.getMessage(), c -> PrepareRecords.eligibility(c, instance.id(), decision));
        }
        int renderMs = (int) ((System.nanoTime() - start) / 1_000_000);
        log.info("prepare {}: rendered {}x{} from {}x{} and {} model input(s) in {} ms (window {})", sop, image.width(),
                image.height(), image.sourceWidth(), image.sourceHeight(), inputs.size(), renderMs, image.windowSource());
        return Outcome.done(c -> PrepareRecords.rendered(c, instance.id(), sop, decision, image, png, inputs, renderMs, job.priority()));
    }

    private InstanceFile find(String sop) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select id, file_path from instance where sop_instance_uid = ?")) {
            s.setString(1, sop);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new InstanceFile(rs.getLong(1), Path.of(rs.getString(2))) : null;
            }
        }
    }
}
