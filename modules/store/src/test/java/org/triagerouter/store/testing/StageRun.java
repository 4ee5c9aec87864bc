package org.triagerouter.store.testing;

import java.time.Duration;
import java.util.List;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.StageWorker;

/**
 * A stage's handler run in the test's own thread over every job of its kind that is due, each outcome recorded with
 * its job as the stage runtime records it: seeds rows through the stages' own code, without a worker's timing.
 */
public final class StageRun {
    private StageRun() {}

    /** Claims, handles and records until no job of {@code kind} is due (for {@code node}, null: unpinned only); returns how many. */
    public static int untilIdle(Database database, JobKind kind, String node, StageWorker.Handler handler) throws Exception {
        JobQueue queue = new JobQueue(database);
        String owner = "test-" + kind;
        int handled = 0;
        for (List<Job> jobs; !(jobs = queue.claim(kind, owner, node, 16, Duration.ofMinutes(5))).isEmpty(); ) {
            for (Job job : jobs) {
                queue.record(job, owner, handler.handle(job), RetryPolicy.DEFAULT);
                handled++;
            }
        }
        return handled;
    }
}
