package org.triagerouter.app.serve.lifecycle;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dispatch.DestinationHealth;
import org.triagerouter.report.StudyCompletion;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseRetention;
import org.triagerouter.store.NodeLoss;

/**
 * The periodic lifecycle jobs, run by Quartz with its clustered JDBC job store on the router's own
 * PostgreSQL: with several nodes, each firing runs on exactly one of them.
 */
public final class LifecycleScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LifecycleScheduler.class);
    static final String SERVICES = "triage.services";
    private static final String DATA_SOURCE = "triage";

    /** What the jobs act on, handed to them through the scheduler context (not the persisted job data). */
    public record Services(Database database, StudyCompletion completion, DestinationHealth health, NodeLoss nodeLoss,
                           DatabaseRetention databaseRetention) {}

    public record Intervals(Duration completion, Duration leaseRecovery, Duration deliveryRetry, Duration retention, Duration health,
                            Duration nodeLoss) {
        public static Intervals defaults() {
            // Retention every minute: a period of 0 (or 0.01 days) takes effect within a minute. Completion is timed per study;
            // its sweep only covers timers lost with their node.
            return new Intervals(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(1),
                    Duration.ofSeconds(5));
        }

        public Intervals withCompletion(Duration every) {
            return new Intervals(every, leaseRecovery, deliveryRetry, retention, health, nodeLoss);
        }
    }

    private Scheduler scheduler;

    private LifecycleScheduler(Scheduler scheduler) { this.scheduler = scheduler; }

    public static LifecycleScheduler start(Services services, Intervals intervals, String node) throws SchedulerException {
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new PoolConnections(services.database().dataSource()));
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "triage-router");
        p.setProperty("org.quartz.scheduler.instanceId", node + "-" + Long.toHexString(System.nanoTime()));
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", "3");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
        p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        // A missed firing of a periodic job is simply skipped: the next one does the same work.
        p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        StdSchedulerFactory factory = new StdSchedulerFactory(p);
        Scheduler scheduler = factory.getScheduler();
        scheduler.getContext().put(SERVICES, services);
        Map<JobDetail, Set<? extends Trigger>> jobs = new LinkedHashMap<>();
        jobs.put(job(StudyCompletionJob.class), trigger("study-completion", intervals.completion()));
        jobs.put(job(LeaseRecoveryJob.class), trigger("lease-recovery", intervals.leaseRecovery()));
        jobs.put(job(DeliveryRetryJob.class), trigger("delivery-retry", intervals.deliveryRetry()));
        jobs.put(job(SpoolRetentionJob.class), trigger("spool-retention", intervals.retention()));
        jobs.put(job(DestinationHealthJob.class), trigger("destination-health", intervals.health()));
        jobs.put(job(NodeLossJob.class), trigger("node-loss", intervals.nodeLoss()));
        jobs.put(job(DatabaseRetentionJob.class), trigger("database-retention", intervals.retention()));
        scheduler.scheduleJobs(jobs, true); // replace: the intervals configured on the latest node to start win
        scheduler.start();
        log.info("lifecycle jobs scheduled (Quartz, clustered): study completion sweep every {}, lease recovery every {}, delivery retry every {}, "
                + "spool and database retention every {}, destination health every {}, node loss every {} (lost after {})", intervals.completion(),
                intervals.leaseRecovery(), intervals.deliveryRetry(), intervals.retention(), intervals.health(), intervals.nodeLoss(),
                services.nodeLoss().lostAfter());
        return new LifecycleScheduler(scheduler);
    }

    private static JobDetail job(Class<? extends org.quartz.Job> type) {
        return JobBuilder.newJob(type).withIdentity(type.getSimpleName(), "lifecycle").storeDurably().build();
    }

    private static Set<Trigger> trigger(String name, Duration every) {
        return Set.of(TriggerBuilder.newTrigger().withIdentity(name, "lifecycle").startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(every.toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build());
    }

    @Override
    public synchronized void close() {
        if (scheduler == null) return;
        try {
            // Without waiting: a firing in progress ends on its own (its node's pool closes under it); the cluster fires the next one.
            scheduler.shutdown(false);
            scheduler = null;
        } catch (SchedulerException e) {
            log.warn("stopping the lifecycle scheduler: {}", e.getMessage());
        }
    }

    /** Quartz borrows connections from the router's pool. */
    private record PoolConnections(DataSource pool) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException { return pool.getConnection(); }

        @Override
        public void shutdown() {
            // The pool belongs to the router.
        }

        @Override
        public void initialize() {
            // Nothing to set up.
        }
    }
}
