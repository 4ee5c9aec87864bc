package org.triagerouter.store;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage worker's loop: claim up to a batch of jobs of one kind, hand them to the stage, repeat;
 * when there is nothing to do, sleep until a NOTIFY for the kind or the poll interval. The stage
 * records each job's outcome itself (complete or fail), in the same transaction as its results.
 */
public final class JobWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    /** What a stage does with a claimed batch. */
    @FunctionalInterface
    public interface Stage {
        void process(List<Job> jobs, String owner) throws Exception;
    }

    public record Settings(String kind, String owner, String node, int batchSize, Duration lease, Duration pollInterval) {}

    private final JobQueue queue;
    private final JobWakeups wakeups;
    private final Settings settings;
    private final Stage stage;
    private final Thread thread;
    private volatile boolean running = true;

    public JobWorker(Database database, Settings settings, Stage stage) {
        this.queue = new JobQueue(database);
        this.wakeups = new JobWakeups(database.settings());
        this.settings = settings;
        this.stage = stage;
        this.thread = Thread.ofPlatform().name(settings.owner()).daemon(true).unstarted(this::loop);
    }

    public JobWorker start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            List<Job> jobs = List.of();
            try {
                jobs = queue.claim(settings.kind(), settings.owner(), settings.node(), settings.batchSize(), settings.lease());
                if (jobs.isEmpty()) {
                    wakeups.await(settings.kind(), settings.pollInterval());
                    continue;
                }
                stage.process(jobs, settings.owner());
            } catch (InterruptedException e) {
                releaseQuietly(jobs);
                return;
            } catch (Throwable e) {
                // The database is down or the stage failed unexpectedly (even with an Error): what is still ours
                // counts a failed attempt (so a job that always breaks the stage ends FAILED), and the thread lives on.
                log.error("{}: {}", settings.owner(), e.toString());
                failQuietly(jobs, e);
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    private void failQuietly(List<Job> jobs, Throwable cause) {
        for (Job job : jobs) {
            try {
                queue.fail(job.id(), settings.owner(), settings.kind() + " failed: " + cause, false, RetryPolicy.DEFAULT);
            } catch (Exception e) {
                return; // unreachable database: the leases expire instead
            }
        }
    }

    private void releaseQuietly(List<Job> jobs) {
        try {
            queue.release(jobs, settings.owner());
        } catch (Exception e) {
            // Unreachable database: the leases expire instead.
        }
    }

    private void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakeups.close();
    }
}
