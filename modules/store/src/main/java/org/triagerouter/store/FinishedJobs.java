package org.triagerouter.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs this process has just finished for good (done, or failed with no attempt left), told to its
 * listeners once their outcome is committed: a node can act at once on what it finished itself (a study
 * whose last image was just scored) instead of waiting for a periodic job to notice.
 */
public final class FinishedJobs {
    private static final Logger log = LoggerFactory.getLogger(FinishedJobs.class);

    private final List<Consumer<List<Job>>> listeners = new CopyOnWriteArrayList<>();

    /** The listener runs on the worker's thread: it must hand any real work to a thread of its own. */
    public void subscribe(Consumer<List<Job>> listener) { listeners.add(listener); }

    void announce(List<Job> jobs) {
        if (jobs.isEmpty()) return;
        for (Consumer<List<Job>> listener : listeners) {
            try {
                listener.accept(jobs);
            } catch (RuntimeException e) {
                // A listener's failure must not turn a recorded outcome into a worker error.
                log.warn("a listener of finished jobs failed: {}", e.toString());
            }
        }
    }
}
