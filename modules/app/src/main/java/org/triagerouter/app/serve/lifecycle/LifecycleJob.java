package org.triagerouter.app.serve.lifecycle;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A lifecycle job: finds the router's services in the scheduler context; a failure is logged and waits for the next firing. */
@DisallowConcurrentExecution
public abstract class LifecycleJob implements Job {
    private static final Logger log = LoggerFactory.getLogger(LifecycleJob.class);

    @Override
    public final void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            run((LifecycleScheduler.Services) context.getScheduler().getContext().get(LifecycleScheduler.SERVICES));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        } catch (Exception e) {
            log.warn("{}: {}", getClass().getSimpleName(), e.getMessage());
        }
    }

    abstract void run(LifecycleScheduler.Services services) throws Exception;
}
