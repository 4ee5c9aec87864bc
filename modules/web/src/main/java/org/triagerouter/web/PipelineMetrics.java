package org.triagerouter.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus registry behind {@code /metrics}: the stages' own counters and latency histograms (they
 * record into Micrometer's global registry, which this joins), JVM and pool figures, and queue-depth gauges
 * read from the database every few seconds (cluster-wide: every node reports the same queue).
 */
public final class PipelineMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineMetrics.class);
    private static PrometheusMeterRegistry installed;
    private final PrometheusMeterRegistry registry = install();
    private final java.util.List<io.micrometer.core.instrument.Meter> gauges = new java.util.ArrayList<>();
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("metrics-refresh").daemon(true).factory());
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /**
     * The process's Prometheus registry, joined to Micrometer's global one. Call it before anything records
     * (the database pool, the stages): a registry added later misses what was registered before it.
     */
    public static synchronized PrometheusMeterRegistry install() {
        if (installed == null) {
            installed = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Metrics.addRegistry(installed);
            new JvmMemoryMetrics().bindTo(installed);
            new JvmThreadMetrics().bindTo(installed);
            new ProcessorMetrics().bindTo(installed);
            new UptimeMetrics().bindTo(installed);
        }
        return installed;
    }

    public PipelineMetrics(OverviewQuery overview) {
        gc.bindTo(registry);
        for (String stage : OverviewQuery.STAGES) {
            for (String state : new String[] {"queued", "running", "failed"}) {
                gauges.add(Gauge.builder("triage.queue.jobs", values, v -> v.getOrDefault(stage + "/" + state, 0.0))
                        .description("Jobs per stage and state (failed: dead-lettered), cluster-wide").tag("stage", stage).tag("state", state)
                        .register(registry));
            }
            gauges.add(Gauge.builder("triage.queue.oldest.waiting", values, v -> v.getOrDefault(stage + "/oldest", 0.0)).baseUnit("seconds")
                    .description("Age of the oldest queued or running job, 0 when none").tag("stage", stage).register(registry));
        }
        refresher.scheduleWithFixedDelay(() -> refresh(overview), 0, 5, TimeUnit.SECONDS);
    }

    private void refresh(OverviewQuery overview) {
        try {
            for (OverviewQuery.Stage s : overview.stages()) {
                values.put(s.stage() + "/queued", (double) s.queued());
                values.put(s.stage() + "/running", (double) s.running());
                values.put(s.stage() + "/failed", (double) s.failed());
                values.put(s.stage() + "/oldest", s.oldestWaitingSeconds() == null ? 0.0 : s.oldestWaitingSeconds());
            }
        } catch (SQLException | RuntimeException e) {
            // Unknown, not frozen: a dashboard must not show the last queue as if it were still true.
            values.replaceAll((k, v) -> Double.NaN);
            log.debug("queue gauges not refreshed: {}", e.getMessage()); // /health/ready reports the database
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() { return registry.scrape(); }

    @Override
    public void close() {
        refresher.shutdownNow();
        gc.close();
        gauges.forEach(registry::remove); // the registry outlives this server; its gauges must not read a closed one's values

    }
}
