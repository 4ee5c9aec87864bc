package org.triagerouter.app.serve.lifecycle;

/** C-ECHO to each destination; results stored for the dashboard. */
public final class DestinationHealthJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        services.health().checkAll();
    }
}
