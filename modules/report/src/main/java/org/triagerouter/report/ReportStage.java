package org.triagerouter.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.sr.KeyObjectWriter;
import org.triagerouter.dicom.sr.ResultImageWriter;
import org.triagerouter.dicom.sr.TriageReportWriter;
import org.triagerouter.dicom.sr.TriageResult;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * The report stage, per complete study: decide its result from its images' outcomes, write the SR
 * (a revision of the previous one when the study was re-opened), and queue one delivery per
 * destination; the runtime writes them with the job's completion. It runs on any node: the attributes
 * the SR copies were stored at receipt. A study reported again with nothing changed gets no revision,
 * and under the study's row lock a result is written only on top of the revision it was built from.
 */
public final class ReportStage implements StageWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(ReportStage.class);

    private final Database database;
    private final ReportSettings settings;

    public ReportStage(Database database, ReportSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    private record Image(long id, String sop, String sopClass, String series, StudyDecision.ImageOutcome outcome) {}

    private record Previous(int revision, String status, String priority, String srSeries, String srSop, String digest) {}

    private record Study(long id, byte[] attributes) {}

    @Override
    public Outcome handle(Job job) throws SQLException, IOException {
        Study study = study(job.subject());
        if (study == null) return Outcome.failed("no study " + job.subject());
        if (imagesInProgress(study.id())) {
            // An image arrived after the study was found complete: the study stays open and is reported once it is settled.
            log.info("report {}: an image is still being prepared or scored; reported later", job.subject());
            return Outcome.done();
        }
        List<Image> images = images(study.id());
        Previous previous = previous(study.id());
        String digest = digest(images);
        if (previous != null && digest.equals(previous.digest())) {
            // Nothing new since the last revision (a sweep that raced the previous report): no second SR.
            log.info("report {}: unchanged since revision {}", job.subject(), previous.revision());
            return Outcome.done(c -> markReported(c, study.id(), images.size()));
        }
        StudyDecision.Result decision = StudyDecision.decide(images.stream().map(Image::outcome).toList(), settings.operatingPoint(),
                previous == null ? null : previous.priority());
        int revision = previous == null ? 1 : previous.revision() + 1;
        TriageReportWriter.WrittenReport sr = null;
        byte[] srBytes = null;
        byte[] kosBytes = null;
        byte[] imageBytes = null;
        if (decision.reported()) {
            byte[] attributes = study.attributes() != null ? study.attributes() : attributesFromLocalFile(study.id());
            if (attributes == null) return Outcome.failed("study " + job.subject() + " has no stored attributes and no image file on node " + settings.node());
            TriageResult.SrReference predecessor = previous != null && previous.srSop() != null
                    ? new TriageResult.SrReference(previous.srSeries(), previous.srSop()) : null;
            TriageResult result = new TriageResult(decision.category(), decision.score(), decision.priority(), settings.modelId(),
                    settings.modelVersion(), settings.demoModel(), settings.operatingPoint(), settings.threshold(), revision, predecessor,
                    images.stream().map(i -> new TriageResult.SourceImage(i.series(), i.sopClass(), i.sop())).toList());
            Path temp = Files.createTempFile("triage-sr-", ".dcm");
            try {
                sr = TriageReportWriter.write(attributes, result, temp, LocalDateTime.now());
                srBytes = Files.readAllBytes(temp);
                if (result.abnormal() && settings.destinations().stream().anyMatch(ResultRecipient::keyObjects)) {
                    List<TriageResult.SourceImage> key = images.stream()
                            .filter(i -> i.outcome().operatingPointsPassed().contains(settings.operatingPoint()))
                            .map(i -> new TriageResult.SourceImage(i.series(), i.sopClass(), i.sop())).toList();
                    KeyObjectWriter.write(attributes, result, key, temp, LocalDateTime.now());
                    kosBytes = Files.readAllBytes(temp);
                }
                if (settings.destinations().stream().anyMatch(ResultRecipient::resultImage)) {
                    imageBytes = resultImage(attributes, result.withClinicalUse(settings.clinicalUse()), images, temp);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        TriageReportWriter.WrittenReport written = sr;
        byte[] srData = srBytes, kosData = kosBytes, imageData = imageBytes;
        log.info("report {}: {} {} {} {} (revision {}, {} image(s)){}", job.subject(), decision.status(),
                decision.category() == null ? "" : decision.category(), decision.score() == null ? "" : String.format("%.3f", decision.score()),
                decision.priority() == null ? "" : decision.priority(), revision, images.size(),
                decision.reason() == null ? "" : ": " + decision.reason());
        return Outcome.done(c -> {
            if (!stillBasedOn(c, study.id(), previous)) {
                log.warn("report {}: revision {} was written meanwhile; this one is dropped", job.subject(), revision - 1);
                return;
            }
            if (imagesInProgress(c, study.id())) {
                log.info("report {}: an image came (or was retried) meanwhile; reported once it is settled", job.subject());
                return;
            }
            long resultId = insertResult(c, study.id(), revision, decision, images.size(), written, srData, kosData, imageData, digest);
            for (ResultRecipient d : settings.destinations()) {
                if (!d.wants(decision)) continue; // a reported result (it has its SR), or a not analyzed one for those who want it
                long delivery = insertDelivery(c, resultId, d);
                if (!d.shadow()) {
                    JobQueue.enqueue(c, JobKind.REPORT.next(), String.valueOf(delivery),
                            "URGENT".equals(decision.priority()) ? JobKind.URGENT : JobKind.ROUTINE, null, settings.maxAttempts());
                }
            }
            markReported(c, study.id(), images.size());
        });
    }

    private Study study(String studyInstanceUid) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select id, attributes from study where study_instance_uid = ?")) {
            s.setString(1, studyInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Study(rs.getLong(1), rs.getBytes(2)) : null;
            }
        }
    }

    private List<Image> images(long studyId) throws SQLException {
        List<Image> images = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select i.id, i.sop_instance_uid, i.sop_class_uid, se.series_instance_uid,
                            e.eligible, e.reason, sc.score, sc.priority, sc.operating_points,
                            (select j.last_error from job j where j.subject = i.sop_instance_uid and j.kind = any (?)
                               and j.state = 'failed' order by j.updated_at desc limit 1)
                       from instance i join series se on se.id = i.series_id
                       left join eligibility e on e.instance_id = i.id
                       left join score sc on sc.instance_id = i.id and sc.model_id = ? and sc.model_version = ?
                      where i.study_id = ? and i.rows > 0 order by i.id""")) {
            s.setArray(1, c.createArrayOf("text", JobKind.imageStages()));
            s.setString(2, settings.modelId());
            s.setString(3, settings.modelVersion());
            s.setLong(4, studyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    boolean eligible = rs.getBoolean(5) && !rs.wasNull();
                    Double score = rs.getObject(7) == null ? null : rs.getDouble(7);
                    String points = rs.getString(9);
                    StudyDecision.ImageOutcome outcome = new StudyDecision.ImageOutcome(rs.getString(2), eligible, rs.getString(6), score,
                            rs.getString(8), points == null || points.isEmpty() ? List.of() : Arrays.asList(points.split(",")),
                            rs.getString(10));
                    images.add(new Image(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), outcome));
                }
            }
        }
        return images;
    }

    private Previous previous(long studyId) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select revision, status, priority, sr_series_uid, sr_sop_instance_uid, inputs_digest from study_result
                      where study_id = ? and model_id = ? and model_version = ? order by revision desc limit 1""")) {
            s.setLong(1, studyId);
            s.setString(2, settings.modelId());
            s.setString(3, settings.modelVersion());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Previous(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6))
                        : null;
            }
        }
    }

    /** Studies received before their attributes were stored: an image file this node still has. */
    private byte[] attributesFromLocalFile(long studyId) throws SQLException, IOException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select file_path from instance where study_id = ? and node = ? and file_deleted_at is null and rows > 0
                      order by id desc""")) {
            s.setLong(1, studyId);
            s.setString(2, settings.node());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Path file = Path.of(rs.getString(1));
                    if (Files.exists(file)) return org.triagerouter.dicom.file.StudyAttributes.read(file);
                }
            }
        }
        return null;
    }

    /**
     * The result as a Secondary Capture image beside the image that decided it (the highest-scoring one), from its canonical
     * rendering in the database; without one (pruned, or none scored), the text alone.
     */
    private byte[] resultImage(byte[] attributes, TriageResult result, List<Image> images, Path temp) throws SQLException, IOException {
        Image deciding = images.stream().filter(i -> i.outcome().score() != null)
                .max(java.util.Comparator.comparingDouble(i -> i.outcome().score())).orElse(null);
        org.triagerouter.dicom.pixels.Gray8Image pixels = null;
        if (deciding != null) {
            try (Connection c = database.connection();
                 PreparedStatement s = c.prepareStatement("select png from canonical_image where instance_id = ?")) {
                s.setLong(1, deciding.id());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) pixels = org.triagerouter.dicom.pixels.PngImages.decode(rs.getBytes(1));
                }
            }
        }
        ResultImageWriter.write(attributes, result, pixels,
                deciding == null ? null : new TriageResult.SourceImage(deciding.series(), deciding.sopClass(), deciding.sop()), temp, LocalDateTime.now());
        return Files.readAllBytes(temp);
    }

    private boolean imagesInProgress(long studyId) throws SQLException {
        try (Connection c = database.connection()) {
            return imagesInProgress(c, studyId);
        }
    }

    /** Has the study an image whose prepare or infer job is still queued or running (a late image, a retried one)? */
    private static boolean imagesInProgress(Connection c, long studyId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                select exists (select 1 from instance i join job j on j.subject = i.sop_instance_uid
                                where i.study_id = ? and i.rows > 0 and j.kind = any (?) and j.state in ('queued', 'running'))""")) {
            s.setLong(1, studyId);
            s.setArray(2, c.createArrayOf("text", JobKind.imageStages()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Under the study's row lock: is the latest revision still the one this result was built on? */
    private boolean stillBasedOn(Connection c, long studyId, Previous previous) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select 1 from study where id = ? for update")) {
            lock.setLong(1, studyId);
            lock.executeQuery().close();
        }
        try (PreparedStatement s = c.prepareStatement(
                "select coalesce(max(revision), 0) from study_result where study_id = ? and model_id = ? and model_version = ?")) {
            s.setLong(1, studyId);
            s.setString(2, settings.modelId());
            s.setString(3, settings.modelVersion());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) == (previous == null ? 0 : previous.revision());
            }
        }
    }

    private static void markReported(Connection c, long studyId, int images) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("update study set reported_instance_count = ? where id = ?")) {
            s.setInt(1, images);
            s.setLong(2, studyId);
            s.executeUpdate();
        }
    }

    /** What the decision is made of: every image's outcome and the operating point. Equal digests, equal results. */
    private String digest(List<Image> images) {
        StringBuilder text = new StringBuilder(settings.operatingPoint());
        for (Image i : images) {
            StudyDecision.ImageOutcome o = i.outcome();
            text.append('\n').append(o.sopInstanceUid()).append('|').append(o.eligible()).append('|').append(o.score()).append('|')
                    .append(o.priority()).append('|').append(o.operatingPointsPassed()).append('|').append(o.failure());
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private long insertResult(Connection c, long studyId, int revision, StudyDecision.Result d, int imageCount,
                              TriageReportWriter.WrittenReport sr, byte[] srBytes, byte[] kosBytes, byte[] imageBytes, String digest)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, reason,
                                          image_count, sr_series_uid, sr_sop_instance_uid, sr, kos, inputs_digest,
                                          operating_point, threshold, demo_model, clinical_use, result_image)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")) {
            s.setLong(1, studyId);
            s.setString(2, settings.modelId());
            s.setString(3, settings.modelVersion());
            s.setInt(4, revision);
            s.setString(5, d.status());
            s.setString(6, d.category());
            if (d.score() == null) s.setNull(7, java.sql.Types.DOUBLE);
            else s.setDouble(7, d.score());
            s.setString(8, d.priority());
            s.setString(9, d.reason());
            s.setInt(10, imageCount);
            s.setString(11, sr == null ? null : sr.seriesInstanceUid());
            s.setString(12, sr == null ? null : sr.sopInstanceUid());
            s.setBytes(13, srBytes);
            s.setBytes(14, kosBytes);
            s.setString(15, digest);
            s.setString(16, settings.operatingPoint());
            s.setDouble(17, settings.threshold());
            s.setBoolean(18, settings.demoModel());
            s.setBoolean(19, settings.clinicalUse());
            s.setBytes(20, imageBytes);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long insertDelivery(Connection c, long resultId, ResultRecipient d) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "insert into delivery (study_result_id, destination, state) values (?, ?, ?) returning id")) {
            s.setLong(1, resultId);
            s.setString(2, d.name());
            s.setString(3, d.shadow() ? "shadow" : "pending");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
