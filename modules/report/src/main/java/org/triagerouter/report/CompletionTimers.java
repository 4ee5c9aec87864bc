package org.triagerouter.report;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;

/**
 * This node's study completion timers: a study is checked at the moment its rule may be met (its association
 * released + grace, its last image + quiet) or the moment this node finishes one of its images, not at the next
 * sweep. One timer per study, at the earliest time asked for; when it fires, {@link StudyCompletion#complete}
 * reads the study again (images another node received count too) and the timer is set again for the time the
 * database now gives. A timer lost with its node is the sweep's to cover.
 */
public final class CompletionTimers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompletionTimers.class);
    /** After a check that failed (the database away), the study is checked again this much later. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final StudyCompletion completion;
    private final ScheduledThreadPoolExecutor timer;
    private final ConcurrentHashMap<String, Armed> armed = new ConcurrentHashMap<>();

    /** One study's pending check; {@code fireAt} on the {@link System#nanoTime()} scale. */
    private static final class Armed {
        final long fireAt;
        ScheduledFuture<?> future;

        Armed(long fireAt) { this.fireAt = fireAt; }
    }

    public CompletionTimers(StudyCompletion completion) {
        this.completion = completion;
        // Two threads: a check waiting on a study's row lock must not hold every other study's timer.
        this.timer = new ScheduledThreadPoolExecutor(2, Thread.ofPlatform().name("study-completion-", 1).daemon().factory());
        timer.setRemoveOnCancelPolicy(true); // a study re-armed a thousand times leaves no cancelled tasks behind
    }

    /** An image of {@code study} was received: without a release, the study is complete after the quiet period. */
    public void instanceReceived(String study) { arm(study, completion.settings().quiet()); }

    /** The association that brought images of these studies ended: they may be complete after the grace period. */
    public void associationClosed(Collection<String> studies) {
        for (String study : studies) arm(study, completion.settings().grace());
    }

    /** Jobs this node just finished: the studies of finished images are checked at once (their last image may be one of them). */
    public void jobsFinished(List<Job> jobs) {
        if (timer.isShutdown()) return;
        // A report job that ended may not cover an image that settled while it was live (that image's check found the job
        // still queued and did nothing): check its study again, now that the report is committed.
        jobs.stream().filter(j -> j.kind() == JobKind.REPORT).forEach(j -> arm(j.subject(), Duration.ZERO));
        List<String> images = jobs.stream().filter(j -> j.kind() == JobKind.PREPARE || j.kind() == JobKind.INFER).map(Job::subject).toList();
        if (images.isEmpty()) return;
        timer.execute(() -> {
            try {
                for (String study : completion.openStudiesOf(images)) arm(study, Duration.ZERO);
            } catch (SQLException e) {
                log.warn("cannot find the studies of {} finished image(s); the completion sweep will: {}", images.size(), e.getMessage());
            }
        });
    }

    /** Checks {@code study} after {@code delay}, unless a check is already due sooner. */
    public void arm(String study, Duration delay) {
        long fireAt = System.nanoTime() + delay.toNanos();
        armed.compute(study, (key, current) -> {
            if (current != null && current.fireAt <= fireAt) return current;
            if (current != null) current.future.cancel(false);
            Armed next = new Armed(fireAt);
            try {
                next.future = timer.schedule(() -> fire(study, next), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                return current; // stopping: the sweep of a live node covers it
            }
            return next;
        });
    }

    private void fire(String study, Armed self) {
        armed.remove(study, self);
        StudyCompletion.Check check;
        try {
            check = completion.complete(study);
        } catch (SQLException | RuntimeException e) {
            log.warn("study completion check of {} failed, again in {}: {}", study, RETRY, e.getMessage());
            arm(study, RETRY);
            return;
        }
        switch (check.verdict()) {
            case NOT_DUE -> arm(study, check.dueIn()); // a later image or an association still open moved its time
            case QUEUED -> log.debug("study {} complete: report queued", study);
            case SETTLING, NOTHING -> { } // checked again when its last image is finished; nothing to do
        }
    }

    /** How many studies have a pending check (for tests and the log). */
    public int pending() { return armed.size(); }

    /** Drops every pending check (a stopping node's studies are left to the other nodes' sweep). */
    @Override
    public void close() {
        timer.shutdownNow();
        armed.clear();
    }
}
