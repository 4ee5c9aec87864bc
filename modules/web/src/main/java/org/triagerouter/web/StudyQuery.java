package org.triagerouter.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.triagerouter.store.Database;

/** One study in full: every stage's jobs on a timeline, each image's eligibility and score, results and deliveries. */
public final class StudyQuery {
    public record Event(String at, String stage, String what, String detail) {}

    public record Image(String sopInstanceUid, String seriesInstanceUid, String modality, String viewPosition, Integer rows, Integer columns,
                        String receivedAt, String node, Boolean eligible, String rule, String reason, Double score, String priority,
                        String provider, String scoredAt) {}

    public record Result(int revision, String status, String category, Double score, String priority, String reason, int imageCount,
                         String modelId, String modelVersion, String srSopInstanceUid, String createdAt) {}

    /**
     * @param hl7 for an HL7 destination, what was sent and answered; null for DICOM (and before the first attempt)
     * @param storageCommitment the latest Storage Commitment request of a delivered one, when its destination asks for them
     */
    public record Delivery(long id, int revision, String destination, String state, int attempts, String lastStatus, String lastError,
                           String deliveredAt, Long jobId, String jobState, String nextAttemptAt, Hl7 hl7, Commitment storageCommitment) {}

    /**
     * A Storage Commitment request and what became of it: requested, committed, failed (reason: the PACS's failure reasons or
     * why the request could not be made) or timed_out; the instances named and those the PACS did not commit to.
     */
    public record Commitment(String state, String transactionUid, List<String> sopInstanceUids, List<String> failedInstanceUids,
                             String requestedAt, String answeredAt, String reportedBy, String reason) {}

    /** An HL7 delivery: which study identifier was the order key, and each message in sending order. */
    public record Hl7(String orderKey, List<Hl7Message> messages) {}

    /** One HL7 message: its type (MSH-9), control ID (MSH-10), and the peer's ACK code and text (null until it answered). */
    public record Hl7Message(String type, String controlId, String ackCode, String ackText) {}

    public record Job(long id, String kind, String subject, String state, int attempts, int maxAttempts, String createdAt,
                      String finishedAt, String lastError) {}

    public record Study(WorklistQuery.Entry summary, List<Event> timeline, List<Image> images, List<Result> results,
                        List<Delivery> deliveries, List<Job> jobs) {}

    private final Database database;
    private final boolean showPhi;

    public StudyQuery(Database database, boolean showPhi) {
        this.database = database;
        this.showPhi = showPhi;
    }

    public Optional<Study> study(String studyInstanceUid) throws SQLException {
        try (Connection c = database.connection()) {
            WorklistQuery.Entry summary;
            long studyId;
            try (PreparedStatement s = c.prepareStatement(WorklistQuery.STUDY_STATE + " where s.study_instance_uid = ?")) {
                s.setString(1, studyInstanceUid);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    summary = WorklistQuery.entry(rs, showPhi);
                    studyId = rs.getLong("id");
                }
            }
            List<Image> images = images(c, studyId);
            List<Result> results = results(c, studyId);
            List<Delivery> deliveries = deliveries(c, studyId);
            List<Job> jobs = jobs(c, studyId, studyInstanceUid);
            return Optional.of(new Study(summary, timeline(images, results, deliveries, jobs), images, results, deliveries, jobs));
        }
    }

    private static List<Image> images(Connection c, long studyId) throws SQLException {
        List<Image> images = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select i.sop_instance_uid, x.series_instance_uid, x.modality, i.view_position, i.rows, i.columns, i.received_at, i.node,
                       e.eligible, e.rule, e.reason, sc.score, sc.priority, sc.provider, sc.scored_at
                  from instance i join series x on x.id = i.series_id
                  left join eligibility e on e.instance_id = i.id
                  left join lateral (select * from score where instance_id = i.id order by scored_at desc limit 1) sc on true
                 where i.study_id = ? order by i.received_at, i.id""")) {
            s.setLong(1, studyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    images.add(new Image(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, Integer.class), rs.getObject(6, Integer.class),
                            Rows.instant(rs, "received_at"), rs.getString(8), rs.getObject(9, Boolean.class),
                            rs.getString(10), rs.getString(11), rs.getObject("score", Double.class), rs.getString(13), rs.getString(14),
                            Rows.instant(rs, "scored_at")));
                }
            }
        }
        return images;
    }

    private static List<Result> results(Connection c, long studyId) throws SQLException {
        List<Result> results = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select revision, status, category, score, priority, reason, image_count, model_id, model_version, sr_sop_instance_uid, created_at
                  from study_result where study_id = ? order by created_at, revision""")) {
            s.setLong(1, studyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    results.add(new Result(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getObject("score", Double.class), rs.getString(5),
                            rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getString(10), Rows.instant(rs, "created_at")));
                }
            }
        }
        return results;
    }

    private static List<Delivery> deliveries(Connection c, long studyId) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select d.id, r.revision, d.destination, d.state, d.attempts, d.last_status, d.last_error, d.delivered_at,
                       j.id as job_id, j.state as job_state, j.next_attempt_at,
                       d.hl7_order_key, d.hl7_message_types, d.hl7_control_ids, d.hl7_ack_codes, d.hl7_ack_texts,
                       sc.state as sc_state, sc.transaction_uid as sc_transaction_uid, sc.sop_instance_uids as sc_sop_instance_uids,
                       sc.failed_instance_uids as sc_failed_instance_uids, sc.requested_at as sc_requested_at, sc.answered_at as sc_answered_at,
                       sc.reported_by as sc_reported_by, sc.reason as sc_reason
                  from delivery d join study_result r on r.id = d.study_result_id
                  left join lateral (select * from job where kind = 'dispatch' and subject = d.id::text order by id desc limit 1) j on true
                  left join lateral (select * from storage_commitment where delivery_id = d.id order by requested_at desc limit 1) sc on true
                 where r.study_id = ? order by r.revision, d.destination""")) {
            s.setLong(1, studyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    deliveries.add(new Delivery(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                            rs.getString(7), Rows.instant(rs, "delivered_at"), rs.getObject("job_id", Long.class), rs.getString("job_state"),
                            "queued".equals(rs.getString("job_state")) ? Rows.instant(rs, "next_attempt_at") : null, hl7(rs), commitment(rs)));
                }
            }
        }
        return deliveries;
    }

    private static Commitment commitment(ResultSet rs) throws SQLException {
        String state = rs.getString("sc_state");
        if (state == null) return null;
        String[] failed = strings(rs, "sc_failed_instance_uids");
        return new Commitment(state, rs.getString("sc_transaction_uid"), List.of(strings(rs, "sc_sop_instance_uids")),
                failed == null ? List.of() : List.of(failed), Rows.instant(rs, "sc_requested_at"), Rows.instant(rs, "sc_answered_at"),
                rs.getString("sc_reported_by"), rs.getString("sc_reason"));
    }

    private static Hl7 hl7(ResultSet rs) throws SQLException {
        String[] types = strings(rs, "hl7_message_types");
        if (types == null) return null;
        String[] ids = strings(rs, "hl7_control_ids"), codes = strings(rs, "hl7_ack_codes"), texts = strings(rs, "hl7_ack_texts");
        List<Hl7Message> messages = new ArrayList<>();
        for (int i = 0; i < types.length; i++) messages.add(new Hl7Message(types[i], at(ids, i), at(codes, i), at(texts, i)));
        return new Hl7(rs.getString("hl7_order_key"), messages);
    }

    private static String[] strings(ResultSet rs, String column) throws SQLException {
        java.sql.Array a = rs.getArray(column);
        return a == null ? null : (String[]) a.getArray();
    }

    private static String at(String[] values, int i) {
        return values != null && i < values.length ? values[i] : null;
    }

    /** Prepare and infer jobs are about an instance, report about the study, dispatch about a delivery. */
    private static List<Job> jobs(Connection c, long studyId, String studyUid) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select id, kind, subject, state, attempts, max_attempts, created_at, finished_at, last_error from job
                 where (kind in ('prepare', 'infer') and subject in (select sop_instance_uid from instance where study_id = ?))
                    or (kind = 'report' and subject = ?)
                    or (kind = 'dispatch' and subject in (select d.id::text from delivery d join study_result r on r.id = d.study_result_id
                                                          where r.study_id = ?))
                 order by created_at, id""")) {
            s.setLong(1, studyId);
            s.setString(2, studyUid);
            s.setLong(3, studyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                            Rows.instant(rs, "created_at"), Rows.instant(rs, "finished_at"), rs.getString(9)));
                }
            }
        }
        return jobs;
    }

    /** Every timestamped step in time order: what an operator reads to see where a study spent its time. */
    private static List<Event> timeline(List<Image> images, List<Result> results, List<Delivery> deliveries, List<Job> jobs) {
        List<Event> events = new ArrayList<>();
        for (Image i : images) events.add(new Event(i.receivedAt(), "ingest", "instance received", i.sopInstanceUid()));
        for (Job j : jobs) {
            events.add(new Event(j.createdAt(), j.kind(), "job queued", j.subject()));
            if (j.finishedAt() != null) {
                events.add(new Event(j.finishedAt(), j.kind(), "job " + j.state() + (j.attempts() > 1 ? " after " + j.attempts() + " attempts" : ""),
                        j.lastError() != null && "failed".equals(j.state()) ? j.lastError() : j.subject()));
            } else if (j.lastError() != null) {
                events.add(new Event(null, j.kind(), "job " + j.state() + ", last attempt failed", j.lastError()));
            }
        }
        for (Image i : images) {
            if (i.scoredAt() != null) events.add(new Event(i.scoredAt(), "infer", "scored " + String.format("%.3f", i.score()), i.sopInstanceUid()));
        }
        for (Result r : results) {
            events.add(new Event(r.createdAt(), "report", "result revision " + r.revision() + ": " + r.status()
                    + (r.category() != null ? " " + r.category() + " " + r.priority() : ""), r.reason() != null ? r.reason() : r.srSopInstanceUid()));
        }
        for (Delivery d : deliveries) {
            if (d.deliveredAt() != null) events.add(new Event(d.deliveredAt(), "dispatch", "delivered to " + d.destination(), d.lastStatus()));
        }
        events.sort(java.util.Comparator.comparing((Event e) -> e.at() == null ? null : java.time.Instant.parse(e.at()),
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
        return events;
    }
}
