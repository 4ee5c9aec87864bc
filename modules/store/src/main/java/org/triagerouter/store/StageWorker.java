package org.triagerouter.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime every one-job-at-a-time stage runs on: claim up to a batch of jobs of one kind, keep their
 * leases alive, hand each to the stage's handler (which does its I/O holding no connection), and record
 * the handler's outcome with the job's new state in one transaction, only while the lease is still ours.
 * When there is nothing to do, it sleeps until a NOTIFY for the kind or the poll interval.
 */
public final class StageWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StageWorker.class);

    /** A stage: one claimed job in, an outcome out. An exception is a retry with its message. */
    @FunctionalInterface
    public interface Handler {
        Outcome handle(Job job) throws Exception;
    }

    /**
     * @param node      this node's name for kinds pinned to the node holding their file; null claims only unpinned jobs
     * @param batchSize jobs claimed at once (handled one after another)
     */
    public record Settings(JobKind kind, String owner, String node, int batchSize, Duration pollInterval, RetryPolicy retry) {
        public Settings(JobKind kind, String owner, String node, int batchSize) {
            this(kind, owner, node, batchSize, Duration.ofSeconds(2), RetryPolicy.DEFAULT);
        }
    }

    private final JobQueue queue;
    private final JobWakeups wakeups;
    private final LeaseKeeper leases;
    private final Settings settings;
    private final Handler handler;
    private final Thread thread;
    /** Claimed and not yet recorded: what a stop hands back. */
    private final List<Job> claimed = new ArrayList<>();
    private volatile boolean claiming = true;

    public StageWorker(Database database, LeaseKeeper leases, Settings settings, Handler handler) {
        this.queue = new JobQueue(database);
        this.wakeups = new JobWakeups(database.settings());
        this.leases = leases;
        this.settings = settings;
        this.handler = handler;
        this.thread = Thread.ofPlatform().name(settings.owner()).daemon(true).unstarted(this::loop);
    }

    public StageWorker start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (claiming) {
            try {
                List<Job> jobs = queue.claim(settings.kind(), settings.owner(), settings.node(), settings.batchSize(), leases.lease());
                if (jobs.isEmpty()) {
                    wakeups.await(settings.kind().id(), settings.pollInterval());
                    continue;
                }
                synchronized (claimed) {
                    claimed.addAll(jobs);
                }
                leases.hold(jobs, settings.owner());
                for (Job job : jobs) {
                    if (!claiming) break; // a stop hands the rest back
                    process(job);
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable e) {
                // The database is down, or an outcome could not be written: what is still claimed is handed back, or, when
                // even that fails, no longer renewed, so its lease lapses and another worker takes it over.
                log.error("{}: {}", settings.owner(), e.toString());
                releaseClaimed();
                sleepQuietly(settings.pollInterval());
            }
        }
        releaseClaimed();
    }

    private void process(Job job) throws java.sql.SQLException {
        Outcome outcome;
        try {
            outcome = handler.handle(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stopping past the grace: the job is handed back
        } catch (Throwable e) {
            // Even an Error: the attempt counts, so a job that always breaks the stage ends FAILED; the thread lives on.
            log.warn("{} {}: {}", settings.kind(), job.subject(), e.toString());
            outcome = Outcome.retry(settings.kind() + " failed: " + e);
        }
        // Interrupted past the shutdown grace, the handler's failure may be the interrupt's (a closed channel): hand the job back.
        if (Thread.currentThread().isInterrupted()) return;
        try {
            JobQueue.Recorded recorded = queue.record(job, settings.owner(), outcome, settings.retry());
            if (recorded == JobQueue.Recorded.LOST) log.warn("{} {}: lease lost to another worker; its outcome stands", settings.kind(), job.subject());
        } finally {
            forget(job); // written, lost, or not written at all: in the last case the lease lapses and the job is taken over
        }
    }

    private void forget(Job job) {
        leases.drop(job);
        synchronized (claimed) {
            claimed.remove(job);
        }
    }

    private void releaseClaimed() {
        List<Job> rest;
        synchronized (claimed) {
            rest = new ArrayList<>(claimed);
            claimed.clear();
        }
        if (rest.isEmpty()) return;
        try {
            queue.release(rest, settings.owner());
        } catch (Exception e) {
            log.warn("{}: {} job(s) not handed back ({}); their leases expire instead", settings.owner(), rest.size(), e.getMessage());
        } finally {
            leases.drop(rest); // never renewed again either way
        }
    }

    private void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            claiming = false;
        }
    }

    /** Claims nothing more; the job in hand finishes, the rest of the batch is handed back. */
    public void stopClaiming() { claiming = false; }

    /** Waits up to {@code timeout} for the job in hand to finish; true when the worker has stopped. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** Stops claiming, gives the job in hand a few seconds, then interrupts it; whatever is still claimed is handed back. */
    @Override
    public void close() {
        stopClaiming();
        try {
            if (!thread.join(Duration.ofSeconds(5))) {
                thread.interrupt();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) releaseClaimed(); // a handler stuck in I/O: its outcome will find the lease gone
        wakeups.close();
    }
}
