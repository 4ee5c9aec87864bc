package org.triagerouter.app.serve;

import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.app.serve.lifecycle.LifecycleScheduler;
import org.triagerouter.inference.DemoModel;
import org.triagerouter.inference.ExecutionProvider;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.SpoolRetention;
import org.triagerouter.dispatch.DestinationHealth;
import org.triagerouter.dispatch.DispatchSettings;
import org.triagerouter.dispatch.DispatchStage;
import org.triagerouter.report.ReportSettings;
import org.triagerouter.report.ResultRecipient;
import org.triagerouter.report.ReportStage;
import org.triagerouter.report.CompletionTimers;
import org.triagerouter.report.StudyCompletion;
import org.triagerouter.inference.InferSettings;
import org.triagerouter.inference.InferWorker;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.inference.ModelOpenException;
import org.triagerouter.inference.OnnxModel;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.prepare.PrepareStage;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseRetention;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.NodeLoss;
import org.triagerouter.store.StageWorker;

/**
 * This node's pipeline: prepare (files in its spool), infer, report and dispatch (any node's work) and
 * spool retention workers, all on the stage runtime with one lease keeper, and the Quartz lifecycle jobs
 * that keep the queue moving.
 */
public final class StageWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StageWorkers.class);

    /** Part of every lease owner: two processes that ever share a node name (one frozen past its name) never pass each other's lease checks. */
    private final String process = "@" + java.util.UUID.randomUUID().toString().substring(0, 8);
    private final List<StageWorker> stageWorkers = new ArrayList<>();
    private final List<InferWorker> inferWorkers = new ArrayList<>();
    private LeaseKeeper leases;
    private LifecycleScheduler lifecycle;
    private CompletionTimers completionTimers;
    private OnnxModel model;
    private ModelManifest manifest;
    private String operatingPoint = "";
    private String description = "";

    /** Loads the model (checking its manifest against it) before any worker starts; a mismatch stops start-up. */
    static StageWorkers start(Database database, RouterConfig config) throws RouterConfig.ConfigException, IOException, ModelOpenException,
            org.quartz.SchedulerException {
        StageWorkers workers = new StageWorkers();
        try {
            RouterConfig.ClusterSettings cluster = config.clusterSettings();
            workers.leases = new LeaseKeeper(database, cluster.lease());
            ModelManifest manifest = ModelManifest.load(manifestPath(config));
            workers.manifest = manifest;
            // Prepare stores the configured model's input beside each canonical image: the infer stage then only normalises.
            PrepareSettings prepare = config.prepareSettings().withModelInputs(List.of(manifest.geometry()));
            PrepareStage prepareStage = new PrepareStage(database, prepare);
            if (prepare.workers() == 0) {
                log.warn("prepare.workers is 0: instances this node receives wait for a prepare worker on this node "
                        + "(or fail 'node lost' once it is silent for cluster.nodeLostSeconds); send images only to nodes that prepare");
            }
            for (int i = 1; i <= prepare.workers(); i++) {
                workers.stage(database, new StageWorker.Settings(JobKind.PREPARE, prepare.node() + "-prepare-" + i + workers.process, prepare.node(), 4), prepareStage);
            }
            java.util.OptionalInt configuredWorkers = config.integerOrAuto(ConfigKey.INFERENCE_WORKERS, 0, 64);
            int intraOpThreads = config.integer(ConfigKey.INFERENCE_INTRA_OP_THREADS, 0, 256);
            if (configuredWorkers.orElse(1) > 0) {
                // auto on CPU: one worker per core, each run on one thread. The cores are shared with ingest and prepare;
                // ONNX Runtime's intra-op pool spins and waits at each operator for a thread the OS gave to another stage
                // (docs/benchmarks.md: ~45 ms more CPU per two-image study than a worker per core). On CUDA the GPU does
                // the model's work: one worker, and the one thread only runs what the GPU does not.
                if (configuredWorkers.isEmpty() && intraOpThreads == 0) intraOpThreads = 1;
                workers.model = OnnxModel.open(manifest, config.executionProvider(), intraOpThreads);
                log.info("model {} version {} on {}{}", manifest.id(), manifest.version(), workers.model.provider(),
                        manifest.demo() ? " (DEMO MODEL: its scores mean nothing)" : manifest.clinicalUse() ? "" : " (not for clinical use)");
                InferSettings infer = config.inferSettings();
                int inferWorkers = configuredWorkers.orElse(workers.model.provider().equals(ExecutionProvider.CPU.configName()) ? Runtime.getRuntime().availableProcessors() : 1);
                log.info("{} infer worker(s){}", inferWorkers, configuredWorkers.isEmpty() ? " (inference.workers auto)" : "");
                for (int i = 1; i <= inferWorkers; i++) {
                    workers.inferWorkers.add(new InferWorker(database, workers.leases, workers.model, infer, infer.node() + "-infer-" + i + workers.process).start());
                }
            }
            workers.description = manifest.id() + " " + manifest.version() + (workers.model == null ? "" : " on " + workers.model.provider());
            ReportSettings report = reportSettings(config, manifest);
            workers.operatingPoint = report.operatingPoint();
            ReportStage reportStage = new ReportStage(database, report);
            for (int i = 1; i <= config.integer(ConfigKey.REPORT_WORKERS, 0, 64); i++) {
                workers.stage(database, new StageWorker.Settings(JobKind.REPORT, report.node() + "-report-" + i + workers.process, null, 4), reportStage);
            }
            DispatchSettings dispatch = new DispatchSettings(config.destinations(), config.clientSettings(config.string(ConfigKey.DICOM_AE_TITLE)),
                    config.storageCommitmentSettings());
            checkDestinationTls(dispatch.destinations());
            DispatchStage dispatchStage = new DispatchStage(database, dispatch);
            for (int i = 1; i <= config.integer(ConfigKey.DISPATCH_WORKERS, 0, 64); i++) {
                // One delivery per claim: a slow PACS must not hold other deliveries' leases.
                workers.stage(database, new StageWorker.Settings(JobKind.DISPATCH, report.node() + "-dispatch-" + i + workers.process, null, 1, Duration.ofSeconds(2),
                        config.dispatchRetry()), dispatchStage);
            }
            IngestSettings ingest = config.ingestSettings();
            workers.stage(database, new StageWorker.Settings(JobKind.RETENTION, ingest.node() + "-retention" + workers.process, ingest.node(), 1),
                    new SpoolRetention(database, ingest, config.days(ConfigKey.SPOOL_RETENTION_DAYS)));
            StudyCompletion completion = new StudyCompletion(database, report);
            // Studies complete at the moment their rule says: timers armed by ingest and by this node's finished images.
            workers.completionTimers = new CompletionTimers(completion);
            database.finishedJobs().subscribe(workers.completionTimers::jobsFinished);
            workers.lifecycle = LifecycleScheduler.start(new LifecycleScheduler.Services(database, completion,
                    new DestinationHealth(database, dispatch.destinations(), dispatch.client()), new NodeLoss(database, cluster.nodeLost()),
                    new DatabaseRetention(database, config.databaseRetention())),
                    LifecycleScheduler.Intervals.defaults().withCompletion(Duration.ofMillis(config.integer(ConfigKey.REPORT_SWEEP_MS, 100, 3_600_000))),
                    ingest.node());
            log.info("destinations: {}", dispatch.destinations().isEmpty() ? "none (results are stored, not sent)"
                    : dispatch.destinations().stream().map(d -> d.name() + "=" + d.address() + (d.dicom().usesTls() ? " (TLS)" : "")
                            + (d.shadow() ? " (shadow)" : "") + (d.storageCommitment() ? " (storage commitment)" : "")).toList());
            return workers;
        } catch (RouterConfig.ConfigException | IOException | ModelOpenException | org.quartz.SchedulerException | RuntimeException e) {
            workers.close();
            throw e;
        }
    }

    /** A TLS destination's key and trust stores open (path and password right) before any delivery; host names not checked are said aloud. */
    private static void checkDestinationTls(java.util.List<org.triagerouter.dispatch.Destination> destinations) throws IOException {
        for (org.triagerouter.dispatch.Destination d : destinations) {
            if (!d.dicom().usesTls()) continue;
            try {
                d.dicom().tls().open();
            } catch (IOException e) {
                throw new IOException("destination '" + d.name() + "': " + e.getMessage(), e);
            }
            if (!d.dicom().tls().verifyHostname()) {
                log.warn("destination '{}' ({}): TLS without host name verification: any certificate its trust store accepts is taken for it",
                        d.name(), d.address());
            }
        }
    }

    private void stage(Database database, StageWorker.Settings settings, StageWorker.Handler handler) {
        stageWorkers.add(new StageWorker(database, leases, settings, handler).start());
    }

    public static ReportSettings reportSettings(RouterConfig config, ModelManifest manifest) throws RouterConfig.ConfigException {
        String wanted = config.string(ConfigKey.REPORT_OPERATING_POINT);
        ModelManifest.OperatingPoint point = manifest.operatingPoints().stream()
                .filter(op -> wanted.isEmpty() || op.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new RouterConfig.ConfigException("report.operatingPoint '" + wanted + "' is not one of the model's "
                        + manifest.operatingPoints().stream().map(ModelManifest.OperatingPoint::name).toList()));
        return new ReportSettings(manifest.id(), manifest.version(), manifest.demo(), point.name(), point.threshold(),
                Duration.ofSeconds(config.integer(ConfigKey.REPORT_GRACE_SECONDS, 0, 86_400)),
                Duration.ofSeconds(config.integer(ConfigKey.REPORT_QUIET_SECONDS, 1, 86_400)),
                config.destinations().stream().map(d -> new ResultRecipient(d.name(), d.shadow(), d.keyObjects(),
                        d.isHl7() && d.hl7().options().sendNotAnalyzed(), d.resultImage())).toList(),
                config.integer(ConfigKey.DISPATCH_MAX_ATTEMPTS, 1, 1000), config.nodeName(), manifest.clinicalUse());
    }

    /** The configured manifest, else the demo model, written afresh (it is deterministic) into its folder. */
    public static Path manifestPath(RouterConfig config) throws IOException {
        String configured = config.string(ConfigKey.MODEL);
        if (!configured.isEmpty()) return Path.of(configured);
        return DemoModel.write(Path.of(config.string(ConfigKey.DEMO_MODEL_DIR)));
    }

    /** This node's study completion timers, which ingest arms. */
    CompletionTimers completionTimers() { return completionTimers; }

    String modelDescription() { return description; }

    /** The model as the dashboard shows it: manifest, operating points, bands, and where it runs on this node. */
    org.triagerouter.web.ModelInfo modelInfo() {
        String text;
        try {
            text = java.nio.file.Files.readString(manifest.source());
        } catch (IOException e) {
            text = "(manifest " + manifest.source() + " unreadable: " + e.getMessage() + ")";
        }
        return new org.triagerouter.web.ModelInfo(manifest.id(), manifest.version(), manifest.demo(), manifest.clinicalUse(),
                model == null ? "" : model.provider(), operatingPoint,
                manifest.operatingPoints().stream().map(p -> new org.triagerouter.web.ModelInfo.OperatingPoint(p.name(), p.threshold(),
                        p.sensitivity(), p.specificity())).toList(),
                manifest.priorityBands().stream().map(b -> new org.triagerouter.web.ModelInfo.PriorityBand(b.from(), b.to(),
                        b.priority().name())).toList(), text);
    }

    /** The model is loaded when this node runs infer workers with an open session, or runs none at all. */
    boolean modelLoaded() { return !description.isEmpty(); }

    /**
     * A graceful stop: the lifecycle jobs end, no worker claims anything more, the jobs in hand get up to
     * {@code grace} to finish, and whatever is still claimed then is handed back (leases cleared, not waited out).
     */
    void stop(Duration grace) {
        stageWorkers.forEach(StageWorker::stopClaiming);
        inferWorkers.forEach(InferWorker::stopClaiming);
        if (lifecycle != null) lifecycle.close(); // does not wait for a firing in progress (a long prune)
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (StageWorker w : stageWorkers) w.awaitStopped(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            for (InferWorker w : inferWorkers) w.awaitStopped(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Stops every worker at once (one after another could outlast a container's stop timeout), then the model. */
    @Override
    public void close() {
        if (lifecycle != null) lifecycle.close();
        if (completionTimers != null) completionTimers.close();
        List<AutoCloseable> running = new ArrayList<>(stageWorkers);
        running.addAll(inferWorkers);
        List<Thread> closers = new ArrayList<>();
        for (AutoCloseable worker : running) {
            closers.add(Thread.ofVirtual().start(() -> {
                try {
                    worker.close();
                } catch (Exception e) {
                    log.warn("stopping a worker: {}", e.getMessage());
                }
            }));
        }
        for (Thread closer : closers) {
            try {
                closer.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (leases != null) leases.close();
        // A session still running a batch must not be closed under it: the process is ending anyway.
        boolean inferStopped = inferWorkers.stream().allMatch(InferWorker::stopped);
        if (model != null && inferStopped) model.close();
    }
}
