package org.triagerouter.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.triagerouter.store.Database;
import org.triagerouter.store.NodeHeartbeat;

/** The overview IT watches: the queue per stage, results, deliveries, destinations and nodes; and the last hour per minute. */
public final class OverviewQuery {
    /** Stages in pipeline order, so every view lists them the same way. */
    public static final List<String> STAGES = List.of("prepare", "infer", "report", "dispatch", "retention");

    public record Stage(String stage, long queued, long running, long doneLastHour, long failed, Double oldestWaitingSeconds,
                        String oldestWaitingSubject) {}

    /** Studies of the last 24 hours by their latest result: category (or NOT_ANALYZED, FAILED, PROCESSING) and priority. */
    public record ResultCount(String category, String priority, long studies) {}

    public record DeliveryCount(String destination, String state, long deliveries) {}

    public record DestinationHealth(String destination, boolean ok, String checkedAt, String message) {}

    public record Node(String name, String startedAt, String heartbeatAt, boolean alive, String version, String aeTitle, int dicomPort,
                       int httpPort, String model, String provider, Long spoolFreeBytes, Long spoolFloorBytes, boolean lost) {}

    /** The database's size and its ceiling (0: none), in bytes. */
    public record Storage(long databaseBytes, long databaseCeilingBytes) {}

    public record Overview(String generatedAt, long studiesLastHour, long instancesLastHour, List<Stage> stages,
                           List<ResultCount> results, List<DeliveryCount> deliveries, List<DestinationHealth> destinations,
                           List<Node> nodes, Storage storage, List<String> alerts) {}

    /** When the overview turns red: a stage's oldest waiting job older than {@code backlog}, a database above 90 % of its ceiling. */
    public record Thresholds(java.time.Duration backlog, long databaseCeilingBytes) {
        public static final Thresholds DEFAULTS = new Thresholds(java.time.Duration.ofMinutes(15), 0);
    }

    /** Per minute over the last hour; latency is from a study's first instance to its first result (and to the PACS). */
    public record Throughput(List<Long> minutes, List<Long> instancesReceived, List<Long> studiesReported, List<Long> srsDelivered,
                             List<Double> resultLatencyP50, List<Double> resultLatencyP95, List<Double> deliveryLatencyP95) {}

    private final Database database;
    private final Thresholds thresholds;

    public OverviewQuery(Database database) { this(database, Thresholds.DEFAULTS); }

    public OverviewQuery(Database database, Thresholds thresholds) {
        this.database = database;
        this.thresholds = thresholds;
    }

    public Overview overview() throws SQLException {
        try (Connection c = database.connection()) {
            c.setReadOnly(true);
            try {
                List<Stage> stages = stages(c);
                List<Node> nodes = nodes(c);
                Storage storage = new Storage(count(c, "select pg_database_size(current_database())"), thresholds.databaseCeilingBytes());
                return new Overview(java.time.Instant.now().toString(), count(c, "select count(*) from study where first_received_at > now() - interval '1 hour'"),
                        count(c, "select count(*) from instance where received_at > now() - interval '1 hour'"), stages, results(c),
                        deliveries(c), destinations(c), nodes, storage, alerts(stages, nodes, storage));
            } finally {
                c.setReadOnly(false);
            }
        }
    }

    /** What IT should look at now, in words; the overview turns red while any is there. */
    private List<String> alerts(List<Stage> stages, List<Node> nodes, Storage storage) {
        List<String> alerts = new ArrayList<>();
        for (Stage s : stages) {
            if (s.oldestWaitingSeconds() != null && s.oldestWaitingSeconds() > thresholds.backlog().toSeconds()) {
                alerts.add(String.format(java.util.Locale.ROOT, "%s backlog: the oldest job has waited %.0f min (alert above %d min)", s.stage(),
                        s.oldestWaitingSeconds() / 60, thresholds.backlog().toMinutes()));
            }
        }
        if (storage.databaseCeilingBytes() > 0 && storage.databaseBytes() > storage.databaseCeilingBytes() * 0.9) {
            alerts.add(String.format(java.util.Locale.ROOT, "database at %.0f %% of its size ceiling%s", 100.0 * storage.databaseBytes()
                    / storage.databaseCeilingBytes(), storage.databaseBytes() > storage.databaseCeilingBytes() ? ": new instances are refused" : ""));
        }
        for (Node n : nodes) {
            if (n.alive() && n.spoolFreeBytes() != null && n.spoolFloorBytes() != null && n.spoolFreeBytes() < n.spoolFloorBytes()) {
                alerts.add("node " + n.name() + ": spool below its free-space floor: new instances are refused");
            }
            if (n.lost()) alerts.add("node " + n.name() + " lost: its pinned jobs failed (retry them when it is back)");
        }
        return alerts;
    }

    /** The queue per stage alone: what the metrics gauges need, without the rest of the overview. */
    public List<Stage> stages() throws SQLException {
        try (Connection c = database.connection()) {
            return stages(c);
        }
    }

    private static List<Stage> stages(Connection c) throws SQLException {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String stage : STAGES) counts.put(stage, new long[4]);
        // Each state by itself matches a partial index (claimable, leased, failed), and "done" is the last hour:
        // the counts stay cheap however many finished jobs the table keeps.
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select kind, count(*), 0, 0, 0 from job where state = 'queued' group by kind
                union all select kind, 0, count(*), 0, 0 from job where state = 'running' group by kind
                union all select kind, 0, 0, count(*), 0 from job where finished_at > now() - interval '1 hour' and state = 'done' group by kind
                union all select kind, 0, 0, 0, count(*) from job where state = 'failed' group by kind""")) {
            while (rs.next()) {
                long[] row = counts.computeIfAbsent(rs.getString(1), k -> new long[4]);
                for (int i = 0; i < 4; i++) row[i] += rs.getLong(i + 2);
            }
        }
        Map<String, Object[]> oldest = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select distinct on (kind) kind, subject, extract(epoch from now() - created_at)
                  from job where state in ('queued', 'running') order by kind, created_at""")) {
            while (rs.next()) oldest.put(rs.getString(1), new Object[] {rs.getString(2), rs.getDouble(3)});
        }
        List<Stage> stages = new ArrayList<>();
        counts.forEach((kind, n) -> {
            Object[] o = oldest.get(kind);
            stages.add(new Stage(kind, n[0], n[1], n[2], n[3], o == null ? null : (Double) o[1], o == null ? null : (String) o[0]));
        });
        return stages;
    }

    /** Studies first received in the last 24 hours, by their latest result (kept on the study row). */
    private static List<ResultCount> results(Connection c) throws SQLException {
        List<ResultCount> results = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select coalesce(r.category, r.status, 'PROCESSING'), coalesce(r.priority, ''), count(*)
                  from study s left join study_result r on r.id = s.latest_result_id
                 where s.first_received_at > now() - interval '24 hours' group by 1, 2 order by 1, 2""")) {
            while (rs.next()) results.add(new ResultCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
        return results;
    }

    /** Deliveries pending or failed (whatever their age) and delivered or shadow in the last 24 hours. */
    private static List<DeliveryCount> deliveries(Connection c) throws SQLException {
        List<DeliveryCount> deliveries = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                select destination, state, count(*) from delivery where state in ('pending', 'failed') group by 1, 2
                union all
                select d.destination, d.state, count(*) from delivery d join study_result r on r.id = d.study_result_id
                 where d.state in ('delivered', 'shadow') and r.created_at > now() - interval '24 hours' group by 1, 2
                order by 1, 2""")) {
            while (rs.next()) deliveries.add(new DeliveryCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
        return deliveries;
    }

    private static List<DestinationHealth> destinations(Connection c) throws SQLException {
        List<DestinationHealth> destinations = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select destination, ok, checked_at, message from destination_health order by 1")) {
            while (rs.next()) {
                destinations.add(new DestinationHealth(rs.getString(1), rs.getBoolean(2), Rows.instant(rs, "checked_at"), rs.getString(4)));
            }
        }
        return destinations;
    }

    private static List<Node> nodes(Connection c) throws SQLException {
        List<Node> nodes = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select name, started_at, heartbeat_at, heartbeat_at > now() - ? * interval '1 millisecond' as alive, version, ae_title,
                       dicom_port, http_port, model, provider, spool_free_bytes, spool_floor_bytes, lost_at is not null as lost
                  from node order by name""")) {
            s.setLong(1, 3 * NodeHeartbeat.INTERVAL.toMillis());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    nodes.add(new Node(rs.getString("name"), Rows.instant(rs, "started_at"), Rows.instant(rs, "heartbeat_at"),
                            rs.getBoolean("alive"), rs.getString("version"), rs.getString("ae_title"), rs.getInt("dicom_port"),
                            rs.getInt("http_port"), rs.getString("model"), rs.getString("provider"), rs.getObject("spool_free_bytes", Long.class),
                            rs.getObject("spool_floor_bytes", Long.class), rs.getBoolean("lost")));
                }
            }
        }
        return nodes;
    }

    /** One grouped pass per source over the last hour (each by its timestamp index), spread into sixty one-minute buckets. */
    public Throughput lastHour() throws SQLException {
        long now = java.time.Instant.now().getEpochSecond();
        long first = (now / 60 - 59) * 60;
        List<Long> minutes = new ArrayList<>(), received = zeros(), reported = zeros(), delivered = zeros();
        List<Double> p50 = nulls(), p95 = nulls(), deliveryP95 = nulls();
        for (int i = 0; i < 60; i++) minutes.add(first + 60L * i);
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select 'received', extract(epoch from date_trunc('minute', received_at))::bigint, count(*), null::float8, null::float8
                       from instance where received_at >= to_timestamp(?) group by 2
                     union all
                     select 'reported', extract(epoch from date_trunc('minute', r.created_at))::bigint, count(*),
                            percentile_cont(0.5) within group (order by extract(epoch from r.created_at - s.first_received_at))
                                filter (where r.revision = 1),
                            percentile_cont(0.95) within group (order by extract(epoch from r.created_at - s.first_received_at))
                                filter (where r.revision = 1)
                       from study_result r join study s on s.id = r.study_id where r.created_at >= to_timestamp(?) group by 2
                     union all
                     select 'delivered', extract(epoch from date_trunc('minute', d.delivered_at))::bigint, count(*), null,
                            percentile_cont(0.95) within group (order by extract(epoch from d.delivered_at - s.first_received_at))
                                filter (where r.revision = 1)
                       from delivery d join study_result r on r.id = d.study_result_id join study s on s.id = r.study_id
                      where d.delivered_at >= to_timestamp(?) group by 2""")) {
            for (int i = 1; i <= 3; i++) s.setLong(i, first);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int bucket = (int) ((rs.getLong(2) - first) / 60);
                    if (bucket < 0 || bucket >= 60) continue; // a clock step between Java and PostgreSQL
                    Double a = rs.getObject(4, Double.class), b = rs.getObject(5, Double.class);
                    switch (rs.getString(1)) {
                        case "received" -> received.set(bucket, rs.getLong(3));
                        case "reported" -> {
                            reported.set(bucket, rs.getLong(3));
                            p50.set(bucket, a);
                            p95.set(bucket, b);
                        }
                        default -> {
                            delivered.set(bucket, rs.getLong(3));
                            deliveryP95.set(bucket, b);
                        }
                    }
                }
            }
        }
        return new Throughput(minutes, received, reported, delivered, p50, p95, deliveryP95);
    }

    private static List<Long> zeros() { return new ArrayList<>(java.util.Collections.nCopies(60, 0L)); }

    private static List<Double> nulls() { return new ArrayList<>(java.util.Collections.nCopies(60, (Double) null)); }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
