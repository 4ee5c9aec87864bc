package org.triagerouter.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    public record ResultCount(String category, String priority, long studies) {}

    public record DeliveryCount(String destination, String state, long deliveries) {}

    public record DestinationHealth(String destination, boolean ok, String checkedAt, String message) {}

    public record Node(String name, String startedAt, String heartbeatAt, boolean alive, String version, String aeTitle, int dicomPort,
                       int httpPort, String model, String provider) {}

    public record Overview(String generatedAt, long studiesLastHour, long instancesLastHour, List<Stage> stages,
                           List<ResultCount> results, List<DeliveryCount> deliveries, List<DestinationHealth> destinations,
                           List<Node> nodes) {}

    /** Per minute over the last hour; latency is from a study's first instance to its first result (and to the PACS). */
    public record Throughput(List<Long> minutes, List<Long> instancesReceived, List<Long> studiesReported, List<Long> srsDelivered,
                             List<Double> resultLatencyP50, List<Double> resultLatencyP95, List<Double> deliveryLatencyP95) {}

    private final Database database;

    public OverviewQuery(Database database) { this.database = database; }

    public Overview overview() throws SQLException {
        try (Connection c = database.connection()) {
            c.setReadOnly(true);
            try {
                return new Overview(java.time.Instant.now().toString(), count(c, "select count(*) from study where first_received_at > now() - interval '1 hour'"),
                        count(c, "select count(*) from instance where received_at > now() - interval '1 hour'"), stages(c), results(c),
                        deliveries(c), destinations(c), nodes(c));
            } finally {
                c.setReadOnly(false);
            }
        }
    }

    private static List<Stage> stages(Connection c) throws SQLException {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String stage : STAGES) counts.put(stage, new long[4]);
        // Live and dead-lettered jobs use partial indexes; "done" is the last hour, so the count stays cheap on a long-lived queue.
        try (ResultSet rs = c.createStatement().executeQuery("""
                select kind, count(*) filter (where state = 'queued'), count(*) filter (where state = 'running'), 0, count(*) filter (where state = 'failed')
                  from job where state in ('queued', 'running', 'failed') group by kind
                union all
                select kind, 0, 0, count(*), 0 from job where finished_at > now() - interval '1 hour' and state = 'done' group by kind""")) {
            while (rs.next()) {
                long[] row = counts.computeIfAbsent(rs.getString(1), k -> new long[4]);
                for (int i = 0; i < 4; i++) row[i] += rs.getLong(i + 2);
            }
        }
        Map<String, Object[]> oldest = new LinkedHashMap<>();
        try (ResultSet rs = c.createStatement().executeQuery("""
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

    private static List<ResultCount> results(Connection c) throws SQLException {
        List<ResultCount> results = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("""
                select coalesce(category, status), coalesce(priority, ''), count(*) from study_result r
                 where revision = (select max(revision) from study_result x where x.study_id = r.study_id and x.model_id = r.model_id)
                 group by 1, 2 order by 1, 2""")) {
            while (rs.next()) results.add(new ResultCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
        return results;
    }

    private static List<DeliveryCount> deliveries(Connection c) throws SQLException {
        List<DeliveryCount> deliveries = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("select destination, state, count(*) from delivery group by 1, 2 order by 1, 2")) {
            while (rs.next()) deliveries.add(new DeliveryCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
        return deliveries;
    }

    private static List<DestinationHealth> destinations(Connection c) throws SQLException {
        List<DestinationHealth> destinations = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("select destination, ok, checked_at, message from destination_health order by 1")) {
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
                       dicom_port, http_port, model, provider from node order by name""")) {
            s.setLong(1, 3 * NodeHeartbeat.INTERVAL.toMillis());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    nodes.add(new Node(rs.getString("name"), Rows.instant(rs, "started_at"), Rows.instant(rs, "heartbeat_at"),
                            rs.getBoolean("alive"), rs.getString("version"), rs.getString("ae_title"), rs.getInt("dicom_port"),
                            rs.getInt("http_port"), rs.getString("model"), rs.getString("provider")));
                }
            }
        }
        return nodes;
    }

    public Throughput lastHour() throws SQLException {
        List<Long> minutes = new ArrayList<>(), received = new ArrayList<>(), reported = new ArrayList<>(), delivered = new ArrayList<>();
        List<Double> p50 = new ArrayList<>(), p95 = new ArrayList<>(), deliveryP95 = new ArrayList<>();
        try (Connection c = database.connection();
             ResultSet rs = c.createStatement().executeQuery("""
                     with minute as (
                         select m, m + interval '1 minute' as e from generate_series(date_trunc('minute', now()) - interval '59 minutes',
                                                                                      date_trunc('minute', now()), interval '1 minute') m)
                     select extract(epoch from m)::bigint,
                            (select count(*) from instance where received_at >= m and received_at < e),
                            (select count(*) from study_result where created_at >= m and created_at < e),
                            (select count(*) from delivery where delivered_at >= m and delivered_at < e),
                            (select percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from r.created_at - s.first_received_at))
                               from study_result r join study s on s.id = r.study_id where r.revision = 1 and r.created_at >= m and r.created_at < e),
                            (select percentile_cont(0.95) within group (order by extract(epoch from d.delivered_at - s.first_received_at))
                               from delivery d join study_result r on r.id = d.study_result_id join study s on s.id = r.study_id
                              where r.revision = 1 and d.delivered_at >= m and d.delivered_at < e)
                       from minute order by m""")) {
            while (rs.next()) {
                minutes.add(rs.getLong(1));
                received.add(rs.getLong(2));
                reported.add(rs.getLong(3));
                delivered.add(rs.getLong(4));
                java.sql.Array quantiles = rs.getArray(5);
                Double[] q = quantiles == null ? null : (Double[]) quantiles.getArray();
                p50.add(q == null ? null : q[0]);
                p95.add(q == null ? null : q[1]);
                deliveryP95.add(rs.getObject(6) == null ? null : rs.getDouble(6));
            }
        }
        return new Throughput(minutes, received, reported, delivered, p50, p95, deliveryP95);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
