package org.triagerouter.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;

/**
 * Finds studies ready to report and queues a {@code report} job for each: new instances since the last
 * report, none still being prepared or scored, and either every association that brought them released
 * more than {@code grace} ago, or no new instance for {@code quiet}. Run periodically; safe on several nodes
 * at once (enqueueing is idempotent while a report job is live).
 */
public final class StudyCompletion {
    private final Database database;
    private final ReportSettings settings;

    public StudyCompletion(Database database, ReportSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    /** Queues report jobs for the studies complete now; returns how many were queued. */
    public int sweep() throws SQLException {
        int queued = 0;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    select st.study_instance_uid, bool_or(i.priority = 'HIGH')
                      from study st join instance i on i.study_id = st.id and i.rows > 0
                     where st.instance_count > st.reported_instance_count
                     group by st.id
                    having not exists (select 1 from job r where r.kind = ? and r.subject = st.study_instance_uid
                                        and r.state = 'failed' and r.finished_at > max(i.received_at))
                       and not exists (select 1 from job j join instance ji on j.subject = ji.sop_instance_uid
                                        where ji.study_id = st.id and j.kind = any (?) and j.state in ('queued', 'running'))
                       and (max(i.received_at) < now() - ? * interval '1 millisecond'
                            or (bool_and(exists (select 1 from association a where a.id = i.association_id and a.released))
                                and (select max(a.closed_at) from association a where a.id in
                                       (select ai.association_id from instance ai where ai.study_id = st.id)) < now() - ? * interval '1 millisecond'))""")) {
                s.setString(1, JobKind.REPORT.id());
                s.setArray(2, c.createArrayOf("text", JobKind.imageStages()));
                s.setLong(3, settings.quiet().toMillis());
                s.setLong(4, settings.grace().toMillis());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        // Any node may report it. A study whose report failed waits for a new image (or a retry) instead of
                        // looping. A study any of whose images came with DIMSE priority HIGH is reported first.
                        if (JobQueue.enqueue(c, JobKind.REPORT, rs.getString(1), rs.getBoolean(2) ? JobKind.URGENT : JobKind.ROUTINE)) {
                            queued++;
                        }
                    }
                }
            }
            c.commit();
        }
        return queued;
    }
}
