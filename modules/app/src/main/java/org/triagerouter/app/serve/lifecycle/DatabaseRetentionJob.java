package org.triagerouter.app.serve.lifecycle;

import java.time.Duration;

/** Prunes expired canonical images, finished jobs and old history in small batches, for at most 20 s a firing. */
public final class DatabaseRetentionJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        services.databaseRetention().prune(Duration.ofSeconds(20));
    }
}
