package org.triagerouter.app.serve.lifecycle;

/** The safety net behind the completion timers: queues report jobs for studies that are complete (a timer lost with its node). */
public final class StudyCompletionJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        services.completion().sweep();
    }
}
