package org.triagerouter.app.serve.lifecycle;

import org.triagerouter.store.JobQueue;

/** Returns jobs whose worker died (lease expired) to the queue, attempt counted. */
public final class LeaseRecoveryJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        new JobQueue(services.database()).recoverExpiredLeases();
    }
}
