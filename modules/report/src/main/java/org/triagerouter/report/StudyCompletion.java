package org.triagerouter.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Transactions;

/**
 * Decides whether a study is complete and queues its {@code report} job: new images since the last
 * report, none still being prepared or scored, and either every association that brought them released
 * {@code grace} ago, or no new image for {@code quiet}. {@link #complete(String)} checks one study when its
 * timer fires; {@link #sweep()} checks them all (the safety net). Any node may act: the study's row is
 * locked and its state read again before a job is queued, so two nodes racing for a study queue one report.
 */
public final class StudyCompletion {
    /** What a check found. */
    public enum Verdict {
        /** Complete: its report job was queued now. */
        QUEUED,
        /** Not yet: check again in {@link Check#dueIn()}. */
        NOT_DUE,
        /** Its time has come but an image is still being prepared or scored: checked again when that image is finished. */
        SETTLING,
        /** Nothing to report: no new image, a report already queued, or a failed report waiting for a new image. */
        NOTHING
    }

    /** A check's verdict; {@code dueIn} is set for {@link Verdict#NOT_DUE}. */
    public record Check(Verdict verdict, Duration dueIn) {
        static final Check QUEUED = new Check(Verdict.QUEUED, null);
        static final Check SETTLING = new Check(Verdict.SETTLING, null);
        static final Check NOTHING = new Check(Verdict.NOTHING, null);
    }

    /**
     * Per study with images not yet reported: its most urgent DIMSE priority, whether an image is still in an image stage,
     * whether a report failed since its last image, and how many milliseconds until its rule is met (negative: met).
     * The clock is the database's (it stamped the receipts and releases), so node clocks never matter.
     */
    private static final String STATE = """
            select st.study_instance_uid, bool_or(i.priority = 'HIGH'),
                   exists (select 1 from job j join instance ji on j.subject = ji.sop_instance_uid
                            where ji.study_id = st.id and j.kind = any (?) and j.state in ('queued', 'running')),
                   exists (select 1 from job r where r.kind = ? and r.subject = st.study_instance_uid
                            and r.state = 'failed' and r.finished_at > max(i.received_at)),
                   extract(epoch from least(max(i.received_at) + ? * interval '1 millisecond',
                                            case when bool_and(coalesce(a.released, false)) then max(a.closed_at) + ? * interval '1 millisecond' end)
                                      - clock_timestamp()) * 1000
              from study st join instance i on i.study_id = st.id and i.rows > 0
              left join association a on a.id = i.association_id
             where st.instance_count > st.reported_instance_count and %s
             group by st.id""";

    private record State(String study, boolean high, boolean settling, boolean reportFailed, double dueInMillis) {
        boolean due() { return dueInMillis <= 0; }
    }

    private final Database database;
    private final ReportSettings settings;

    public StudyCompletion(Database database, ReportSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    public ReportSettings settings() { return settings; }

    /**
     * Checks one study now and queues its report when it is complete. The first read takes no lock (most checks find
     * the study not due); a study that looks due is locked and read again, and only then queued.
     */
    public Check complete(String studyInstanceUid) throws SQLException {
        State seen;
        try (Connection c = database.connection()) {
            seen = state(c, studyInstanceUid);
        }
        Check early = verdict(seen);
        if (early != null) return early;
        return Transactions.inTransaction(database, c -> {
            // The row lock serialises completers and the report that marks the study reported (it updates this row):
            // the state read after it includes whatever another node committed before.
            try (PreparedStatement lock = c.prepareStatement("select 1 from study where study_instance_uid = ? for no key update")) {
                lock.setString(1, studyInstanceUid);
                lock.executeQuery().close();
            }
            State now = state(c, studyInstanceUid);
            Check late = verdict(now);
            if (late != null) return late;
            // Any study one of whose images came with DIMSE priority HIGH is reported first.
            boolean queued = JobQueue.enqueue(c, JobKind.REPORT, studyInstanceUid, now.high() ? JobKind.URGENT : JobKind.ROUTINE);
            return queued ? Check.QUEUED : Check.NOTHING;
        });
    }

    /** The verdict when it is not "queue it now"; null when the study is complete. */
    private static Check verdict(State state) {
        if (state == null || state.reportFailed()) return Check.NOTHING; // a failed report waits for a new image (or a retry)
        if (!state.due()) return new Check(Verdict.NOT_DUE, Duration.ofMillis(Math.max(1, (long) Math.ceil(state.dueInMillis()))));
        if (state.settling()) return Check.SETTLING;
        return null;
    }

    private State state(Connection c, String studyInstanceUid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(STATE.formatted("st.study_instance_uid = ?"))) {
            int i = bind(s, c);
            s.setString(i, studyInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new State(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getDouble(5)) : null;
            }
        }
    }

    private int bind(PreparedStatement s, Connection c) throws SQLException {
        s.setArray(1, c.createArrayOf("text", JobKind.imageStages()));
        s.setString(2, JobKind.REPORT.id());
        s.setLong(3, settings.quiet().toMillis());
        s.setLong(4, settings.grace().toMillis());
        return 5;
    }

    /**
     * The safety net, run periodically: completes every study whose rule is met (a timer lost with its node, an image
     * finished where no timer heard of it). Returns how many report jobs it queued.
     */
    public int sweep() throws SQLException {
        List<String> complete = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement(STATE.formatted("true"))) {
            bind(s, c);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getBoolean(3) && !rs.getBoolean(4) && rs.getDouble(5) <= 0) complete.add(rs.getString(1));
                }
            }
        }
        int queued = 0;
        for (String study : complete) {
            if (complete(study).verdict() == Verdict.QUEUED) queued++;
        }
        return queued;
    }

    /** The studies with images not yet reported among those of these instances (images just finished by this node). */
    public List<String> openStudiesOf(Collection<String> sopInstanceUids) throws SQLException {
        List<String> studies = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select distinct st.study_instance_uid from instance i join study st on st.id = i.study_id
                      where i.sop_instance_uid = any (?) and st.instance_count > st.reported_instance_count""")) {
            s.setArray(1, c.createArrayOf("text", sopInstanceUids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) studies.add(rs.getString(1));
            }
        }
        return studies;
    }
}
