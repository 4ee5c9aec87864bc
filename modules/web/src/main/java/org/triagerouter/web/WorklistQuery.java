package org.triagerouter.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.triagerouter.store.Database;

/**
 * The radiologist's view: recent studies, most urgent first, then oldest first (the order a prioritised
 * worklist reads them in). Patient name, ID and accession number are left out unless {@code showPhi}.
 */
public final class WorklistQuery {
    /** Where a study is, derived from its latest result and that result's deliveries. */
    public static final List<String> STATUSES = List.of("PROCESSING", "REPORTED", "SENDING", "DELIVERED", "DELIVERY_FAILED",
            "NOT_ANALYZED", "FAILED");
    public static final List<String> CATEGORIES = List.of("ABNORMAL", "NORMAL", "NONE");

    public record Entry(String studyInstanceUid, String patientName, String patientId, String accessionNumber, String modality,
                        int instances, String firstReceivedAt, double waitingSeconds, String status, String category, String priority,
                        Double score, Integer revision, String reason, boolean hasThumbnail) {}

    public record Filter(String category, String status, int days, int limit) {
        public Filter {
            if (category != null && !CATEGORIES.contains(category)) throw new IllegalArgumentException("category must be one of " + CATEGORIES);
            if (status != null && !STATUSES.contains(status)) throw new IllegalArgumentException("status must be one of " + STATUSES);
            if (days < 1 || days > 3650) throw new IllegalArgumentException("days must be 1..3650");
            if (limit < 1 || limit > 5000) throw new IllegalArgumentException("limit must be 1..5000");
        }
    }

    /** A study with its latest result (kept on the study row, see V11) and where it is, shared with the study page. */
    static final String STUDY_STATE = """
            select s.id, s.study_instance_uid, s.patient_name, s.patient_id, s.accession_number, s.first_received_at, s.worklist_rank,
                   extract(epoch from now() - s.first_received_at) as waiting_seconds,
                   (select count(*) from instance i where i.study_id = s.id) as instances,
                   (select string_agg(distinct modality, '\\') from series x where x.study_id = s.id) as modality,
                   coalesce((select true from instance i join canonical_image ci on ci.instance_id = i.id where i.study_id = s.id limit 1),
                            false) as has_thumbnail,
                   r.category, r.priority, r.score, r.revision, r.reason,
                   case when r.id is null then 'PROCESSING'
                        when r.status <> 'REPORTED' then r.status
                        when d.failed > 0 then 'DELIVERY_FAILED'
                        when d.total = 0 then 'REPORTED'
                        when d.delivered = d.total then 'DELIVERED'
                        else 'SENDING' end as status
              from study s
              left join study_result r on r.id = s.latest_result_id
              left join lateral (select count(*) filter (where state = 'failed') as failed,
                                        count(*) filter (where state = 'delivered') as delivered,
                                        count(*) filter (where state <> 'shadow') as total
                                   from delivery where study_result_id = r.id) d on true
            """;

    /**
     * The studies of one priority rank in arrival order, at most {@code limit}: it reads the study_worklist index
     * and stops there, so a page costs about that many rows however long the history. The SQL holds only the
     * filters in use, as literals: the plan PostgreSQL caches for a statement with parameters (optional filters,
     * an unknown limit) joins and sorts the whole week instead (250 ms instead of 16 at 100,000 studies).
     */
    static String sql(Filter filter, int rank, int limit) {
        // Literals are safe here: Filter admits only the fixed words in CATEGORIES and STATUSES and whole numbers.
        // The category is kept on the study row (V11), so PostgreSQL filters it while it walks the index.
        String category = filter.category() == null ? "" : " and coalesce(s.latest_category, 'NONE') = '" + filter.category() + "'";
        String status = filter.status() == null ? "" : " where status = '" + filter.status() + "'";
        return "select * from (" + STUDY_STATE + " where s.worklist_rank = " + rank + " and s.first_received_at > now() - " + filter.days()
                + " * interval '1 day'" + category + ") b" + status + " order by first_received_at, id limit " + limit;
    }

    private final Database database;
    private final boolean showPhi;

    public WorklistQuery(Database database, boolean showPhi) {
        this.database = database;
        this.showPhi = showPhi;
    }

    public List<Entry> entries(Filter filter) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        // Rank by rank, most urgent first, until the page is full: later ranks are not read at all then.
        try (Connection c = database.connection()) {
            for (int rank = 0; rank <= 3 && entries.size() < filter.limit(); rank++) {
                try (PreparedStatement s = c.prepareStatement(sql(filter, rank, filter.limit() - entries.size()));
                     ResultSet rs = s.executeQuery()) {
                    while (rs.next()) entries.add(entry(rs, showPhi));
                }
            }
        }
        return entries;
    }

    static Entry entry(ResultSet rs, boolean showPhi) throws SQLException {
        return new Entry(rs.getString("study_instance_uid"), showPhi ? rs.getString("patient_name") : null,
                showPhi ? rs.getString("patient_id") : null, showPhi ? rs.getString("accession_number") : null, rs.getString("modality"),
                rs.getInt("instances"), Rows.instant(rs, "first_received_at"), rs.getDouble("waiting_seconds"), rs.getString("status"),
                rs.getString("category"), rs.getString("priority"), rs.getObject("score", Double.class),
                rs.getObject("revision", Integer.class), rs.getString("reason"), rs.getBoolean("has_thumbnail"));
    }
}
