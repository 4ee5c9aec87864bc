package org.triagerouter.app.serve.lifecycle;

/** Declares nodes whose heartbeat stopped lost and fails the jobs pinned to them. */
public final class NodeLossJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        services.nodeLoss().declareLost();
    }
}
