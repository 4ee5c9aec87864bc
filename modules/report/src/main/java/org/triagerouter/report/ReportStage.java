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
import org.triagerouter.dicom.sr.TriageReportWriter;
import org.triagerouter.dicom.sr.TriageResult;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.JobWorker;
import org.triagerouter.store.RetryPolicy;

/**
 * The report stage, per complete study: decide its result from its images' outcomes, write the SR
 * (a revision of the previous one when the study was re-opened), and queue one delivery per
 * destination, all in one transaction with the job's completion.
 */
public final class ReportStage implements JobWorker.Stage {
    private static final Logger log = LoggerFactory.getLogger(ReportStage.class);

    private final Database database;
    private final JobQueue queue;
    private final ReportSettings settings;

    public ReportStage(Database database, ReportSettings settings) {
        this.database = database;
        this.queue = new JobQueue(database);
        this.settings = settings;
    }

    @Override
    public void process(List<Job> jobs, String owner) throws SQLException {
        for (Job job : jobs) {
            try {
                report(job, owner);
            } catch (IOException e) {
                log.warn("report {}: {}", job.subject(), e.getMessage());
                queue.fail(job.id(), owner, e.getMessage(), false, RetryPolicy.DEFAULT);
            }
        }
    }

    private record Image(long id, String sop, String sopClass, String series, Path file, StudyDecision.ImageOutcome outcome) {}

    private record Previous(int revision, String status, String priority, String srSeries, String srSop) {}

    void report(Job job, String owner) throws SQLException, IOException {
        long studyId;
        List<Image> images = new ArrayList<>();
        Previous previous = null;
        try (Connection c = database.connection()) {
            try (PreparedStatement s = c.prepareStatement("select id from study where study_instance_uid = ?")) {
                s.setString(1, job.subject());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        queue.fail(job.id(), owner, "no study " + job.subject(), true, RetryPolicy.DEFAULT);
                        return;
                    }
                    studyId = rs.getLong(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    select i.id, i.sop_instance_uid, i.sop_class_uid, se.series_instance_uid,
                           case when i.node = ? and i.file_deleted_at is null then i.file_path end,
                           e.eligible, e.reason, sc.score, sc.priority, sc.operating_points,
                           (select j.last_error from job j where j.subject = i.sop_instance_uid and j.kind in ('prepare', 'infer')
                              and j.state = 'failed' order by j.updated_at desc limit 1)
                      from instance i join series se on se.id = i.series_id
                      left join eligibility e on e.instance_id = i.id
                      left join score sc on sc.instance_id = i.id and sc.model_id = ? and sc.model_version = ?
                     where i.study_id = ? and i.rows > 0 order by i.id""")) {
                s.setString(1, settings.node());
                s.setString(2, settings.modelId());
                s.setString(3, settings.modelVersion());
                s.setLong(4, studyId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        boolean eligible = rs.getBoolean(6) && !rs.wasNull();
                        Double score = rs.getObject(8) == null ? null : rs.getDouble(8);
                        String points = rs.getString(10);
                        StudyDecision.ImageOutcome outcome = new StudyDecision.ImageOutcome(rs.getString(2), eligible, rs.getString(7), score,
                                rs.getString(9), points == null || points.isEmpty() ? List.of() : Arrays.asList(points.split(",")),
                                rs.getString(11));
                        String file = rs.getString(5);
                        images.add(new Image(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), file == null ? null : Path.of(file), outcome));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    select revision, status, priority, sr_series_uid, sr_sop_instance_uid from study_result
                     where study_id = ? and model_id = ? and model_version = ? order by revision desc limit 1""")) {
                s.setLong(1, studyId);
                s.setString(2, settings.modelId());
                s.setString(3, settings.modelVersion());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) previous = new Previous(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
                }
            }
        }
        StudyDecision.Result decision = StudyDecision.decide(images.stream().map(Image::outcome).toList(), settings.operatingPoint(),
                previous == null ? null : previous.priority());
        int revision = previous == null ? 1 : previous.revision() + 1;
        TriageReportWriter.WrittenReport sr = null;
        byte[] srBytes = null;
        byte[] kosBytes = null;
        // The SR copies patient and study attributes from an image file this node still has, the newest.
        Path source = images.stream().map(Image::file).filter(f -> f != null && Files.exists(f)).reduce((a, b) -> b).orElse(null);
        if (decision.reported() && source == null) {
            queue.fail(job.id(), owner, "no image file of study " + job.subject() + " left on node " + settings.node(), true, RetryPolicy.DEFAULT);
            return;
        }
        if (decision.reported()) {
            TriageResult.SrReference predecessor = previous != null && previous.srSop() != null
                    ? new TriageResult.SrReference(previous.srSeries(), previous.srSop()) : null;
            TriageResult result = new TriageResult(decision.category(), decision.score(), decision.priority(), settings.modelId(),
                    settings.modelVersion(), settings.demoModel(), settings.operatingPoint(), settings.threshold(), revision, predecessor,
                    images.stream().map(i -> new TriageResult.SourceImage(i.series(), i.sopClass(), i.sop())).toList());
            Path temp = Files.createTempFile("triage-sr-", ".dcm");
            try {
                sr = TriageReportWriter.write(source, result, temp, LocalDateTime.now());
                srBytes = Files.readAllBytes(temp);
                if (result.abnormal() && settings.destinations().stream().anyMatch(Destination::keyObjects)) {
                    List<TriageResult.SourceImage> key = images.stream()
                            .filter(i -> i.outcome().operatingPointsPassed().contains(settings.operatingPoint()))
                            .map(i -> new TriageResult.SourceImage(i.series(), i.sopClass(), i.sop())).toList();
                    KeyObjectWriter.write(source, result, key, temp, LocalDateTime.now());
                    kosBytes = Files.readAllBytes(temp);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            long resultId = insertResult(c, studyId, revision, decision, images.size(), sr, srBytes, kosBytes);
            if (sr != null) {
                for (Destination d : settings.destinations()) {
                    long delivery = insertDelivery(c, resultId, d);
                    if (!d.shadow()) {
                        JobQueue.enqueue(c, JobKinds.DISPATCH, String.valueOf(delivery), "URGENT".equals(decision.priority()) ? 10 : 0, null,
                                settings.maxAttempts());
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("update study set reported_instance_count = ? where id = ?")) {
                s.setInt(1, images.size());
                s.setLong(2, studyId);
                s.executeUpdate();
            }
            if (!JobQueue.complete(c, job.id(), owner)) {
                c.rollback();
                return;
            }
            c.commit();
        }
        log.info("report {}: {} {} {} {} (revision {}, {} image(s)){}", job.subject(), decision.status(),
                decision.category() == null ? "" : decision.category(), decision.score() == null ? "" : String.format("%.3f", decision.score()),
                decision.priority() == null ? "" : decision.priority(), revision, images.size(),
                decision.reason() == null ? "" : ": " + decision.reason());
    }

    private long insertResult(Connection c, long studyId, int revision, StudyDecision.Result d, int imageCount,
                              TriageReportWriter.WrittenReport sr, byte[] srBytes, byte[] kosBytes) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, reason,
                                          image_count, sr_series_uid, sr_sop_instance_uid, sr, kos)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")) {
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
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long insertDelivery(Connection c, long resultId, Destination d) throws SQLException {
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
