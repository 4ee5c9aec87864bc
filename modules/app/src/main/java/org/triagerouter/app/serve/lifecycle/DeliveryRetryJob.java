package org.triagerouter.app.serve.lifecycle;

import org.triagerouter.dispatch.DispatchStage;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;

/** Wakes dispatch workers when deliveries waiting out a backoff have become due, marks abandoned ones failed, and times out storage commitments. */
public final class DeliveryRetryJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        new JobQueue(services.database()).announceDue(JobKind.DISPATCH);
        DispatchStage.markAbandoned(services.database());
        org.triagerouter.dispatch.StorageCommitments.expire(services.database());
    }
}
