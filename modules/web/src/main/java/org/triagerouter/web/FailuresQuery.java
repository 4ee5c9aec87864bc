package org.triagerouter.web;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.triagerouter.store.Database;

/**
 * The dead letters: jobs that used up their attempts (or failed permanently) and deliveries that did, with the reason.
 * A failed dispatch job is listed as its delivery (one row, one retry button), not twice.
 */
public final class FailuresQuery {
    public record FailedJob(long id, String stage, String subject, String studyInstanceUid, int attempts, String failedAt, String error) {}

    public record FailedDelivery(long id, String destination, String studyInstanceUid, int revision, int attempts, String lastStatus,
                                 String error, String failedAt, Long jobId) {}

    public record Failures(List<FailedJob> jobs, List<FailedDelivery> deliveries) {}

    private static final int LIMIT = 500;
    private final Database database;

    public FailuresQuery(Database database) { this.database = database; }

    public Failures failures() throws SQLException {
        List<FailedJob> jobs = new ArrayList<>();
        List<FailedDelivery> deliveries = new ArrayList<>();
        try (Connection c = database.connection()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    select j.id, j.kind, j.subject, j.attempts, j.finished_at, j.last_error,
                           coalesce(si.study_instance_uid, sr.study_instance_uid) as study
                      from job j
                      left join instance i on j.kind in ('prepare', 'infer') and i.sop_instance_uid = j.subject
                      left join study si on si.id = i.study_id
                      left join study sr on j.kind = 'report' and sr.study_instance_uid = j.subject
                     where j.state = 'failed' and j.kind <> 'dispatch' order by j.finished_at desc nulls last, j.id desc limit""" + " " + LIMIT)) {
                while (rs.next()) {
                    jobs.add(new FailedJob(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString("study"), rs.getInt(4),
                            Rows.instant(rs, "finished_at"), rs.getString(6)));
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    select d.id, d.destination, s.study_instance_uid, r.revision, d.attempts, d.last_status, d.last_error,
                           j.finished_at, j.id as job_id
                      from delivery d join study_result r on r.id = d.study_result_id join study s on s.id = r.study_id
                      left join lateral (select * from job where kind = 'dispatch' and subject = d.id::text order by id desc limit 1) j on true
                     where d.state = 'failed' order by j.finished_at desc nulls last, d.id desc limit""" + " " + LIMIT)) {
                while (rs.next()) {
                    deliveries.add(new FailedDelivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                            rs.getString(6), rs.getString(7), Rows.instant(rs, "finished_at"), rs.getObject("job_id", Long.class)));
                }
            }
        }
        return new Failures(jobs, deliveries);
    }
}
