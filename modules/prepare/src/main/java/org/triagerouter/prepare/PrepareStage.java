package org.triagerouter.prepare;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.RenderException;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.JobWorker;
import org.triagerouter.store.RetryPolicy;

/**
 * The prepare stage, per instance: eligibility from the header; for an eligible image, the canonical
 * rendering stored in PostgreSQL and an {@code infer} job, in one transaction with the job's completion.
 * An image that cannot be decoded is a FAILED job whose last error is the reason.
 */
public final class PrepareStage implements JobWorker.Stage {
    private static final Logger log = LoggerFactory.getLogger(PrepareStage.class);

    private final Database database;
    private final JobQueue queue;
    private final PrepareSettings settings;

    public PrepareStage(Database database, PrepareSettings settings) {
        this.database = database;
        this.queue = new JobQueue(database);
        this.settings = settings;
    }

    @Override
    public void process(List<Job> jobs, String owner) throws SQLException {
        for (Job job : jobs) {
            try {
                prepare(job, owner);
            } catch (RuntimeException | OutOfMemoryError e) {
                // An image that breaks the decoder is that image's problem: FAILED with the reason, the others go on.
                log.warn("prepare {}: {}", job.subject(), e.toString());
                queue.fail(job.id(), owner, "cannot prepare: " + e, true, RetryPolicy.DEFAULT);
            }
        }
    }

    private record InstanceFile(long id, Path path) {}

    void prepare(Job job, String owner) throws SQLException {
        String sop = job.subject();
        InstanceFile instance = find(sop);
        if (instance == null) {
            queue.fail(job.id(), owner, "no instance row for " + sop, true, RetryPolicy.DEFAULT);
            return;
        }
        EligibilityRules.Decision decision;
        try {
            Map<String, String> header = InstanceFiles.readAttributes(instance.path(), settings.rules().keywords());
            decision = settings.rules().decide(header);
        } catch (IOException e) {
            log.warn("prepare {}: cannot read header: {}", sop, e.getMessage());
            // A header that does not parse will not parse next time either; a read error might.
            boolean permanent = e instanceof org.triagerouter.dicom.file.InvalidDatasetException;
            queue.fail(job.id(), owner, "cannot read header: " + e.getMessage(), permanent, RetryPolicy.DEFAULT);
            return;
        }
        if (!decision.eligible()) {
            try (Connection c = transaction()) {
                recordEligibility(c, instance.id(), decision);
                JobQueue.complete(c, job.id(), owner);
                c.commit();
            }
            log.info("prepare {}: not eligible ({})", sop, decision.reason());
            return;
        }
        long start = System.nanoTime();
        Gray8Image image;
        byte[] png;
        try {
            image = CanonicalRenderer.render(instance.path(), settings.maxSide());
            png = PngEncoder.encode(image);
        } catch (RenderException | IOException e) {
            log.warn("prepare {}: {}", sop, e.getMessage());
            try (Connection c = transaction()) {
                recordEligibility(c, instance.id(), decision);
                c.commit();
            }
            queue.fail(job.id(), owner, e.getMessage(), true, RetryPolicy.DEFAULT);
            return;
        }
        int renderMs = (int) ((System.nanoTime() - start) / 1_000_000);
        try (Connection c = transaction()) {
            recordEligibility(c, instance.id(), decision);
            storeCanonical(c, instance.id(), image, png, renderMs);
            // Infer jobs float free: the canonical image is in the database, any node may score it.
            JobQueue.enqueue(c, JobKinds.INFER, sop, job.priority());
            if (!JobQueue.complete(c, job.id(), owner)) {
                c.rollback(); // our lease expired and another worker took the job over: its result will stand
                return;
            }
            c.commit();
        }
        log.info("prepare {}: rendered {}x{} from {}x{} in {} ms (window {})", sop, image.width(), image.height(),
                image.sourceWidth(), image.sourceHeight(), renderMs, image.windowSource());
    }

    private Connection transaction() throws SQLException {
        Connection c = database.connection();
        c.setAutoCommit(false);
        return c;
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

    private static void recordEligibility(Connection c, long instanceId, EligibilityRules.Decision decision) throws SQLException {
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

    private static void storeCanonical(Connection c, long instanceId, Gray8Image image, byte[] png, int renderMs) throws SQLException {
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
}
