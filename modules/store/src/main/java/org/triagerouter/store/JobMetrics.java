package org.triagerouter.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per-stage counters and latency histograms, recorded where every stage reports its outcome (the job
 * queue), into Micrometer's global registry: the app decides where they go (Prometheus on /metrics).
 * Names as Prometheus shows them: {@code triage_jobs_total{stage,outcome}} and
 * {@code triage_job_latency_seconds{stage}} (queued to done: waiting plus working).
 */
final class JobMetrics {
    private JobMetrics() {}

    /** After an outcome's transaction committed. */
    static void recorded(Job job, JobQueue.Recorded recorded) {
        switch (recorded) {
            case DONE -> done(job.kind().id(), Duration.between(job.createdAt(), java.time.Instant.now()).toNanos() / 1e9);
            case QUEUED -> failedAttempt(job.kind().id(), false);
            case FAILED -> failedAttempt(job.kind().id(), true);
            case LOST -> { } // the new owner records it
        }
    }

    static void done(String kind, double secondsSinceQueued) {
        counter(kind, "done").increment();
        Timer.builder("triage.job.latency").description("Time from a job's creation to its completion, waiting included")
                .tag("stage", kind).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1)).register(Metrics.globalRegistry)
                .record(Duration.ofNanos((long) (secondsSinceQueued * 1e9)));
    }

    /** A failed attempt: {@code retry} when the job goes back to the queue, {@code failed} when it is dead-lettered. */
    static void failedAttempt(String kind, boolean gaveUp) {
        counter(kind, gaveUp ? "failed" : "retry").increment();
    }

    private static Counter counter(String kind, String outcome) {
        return Counter.builder("triage.jobs").description("Job outcomes per stage").tag("stage", kind).tag("outcome", outcome)
                .register(Metrics.globalRegistry);
    }
}
