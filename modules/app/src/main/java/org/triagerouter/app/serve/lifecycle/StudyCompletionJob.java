package org.triagerouter.app.serve.lifecycle;

/** Queues report jobs for studies that are complete. */
public final class StudyCompletionJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        services.completion().sweep();
    }
}
