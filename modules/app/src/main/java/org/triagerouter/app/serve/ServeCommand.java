package org.triagerouter.app.serve;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.inference.ModelOpenException;
import org.triagerouter.ingest.DurableStoreHandler;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.MeteredStoreHandler;
import org.triagerouter.report.ArmingStoreHandler;
import org.triagerouter.ingest.SpoolLock;
import org.triagerouter.ingest.SpoolReconciler;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSize;
import org.triagerouter.store.NodeHeartbeat;
import org.triagerouter.web.ModelInfo;
import org.triagerouter.web.OverviewQuery;
import org.triagerouter.web.PipelineMetrics;
import org.triagerouter.web.Readiness;
import org.triagerouter.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", footer = {"", "Example:", "  triage-router serve --config /etc/triage-router/triage-router.yaml"}, description = "Run the router: DICOM C-STORE/C-ECHO SCP, the ingest stage and the HTTP server.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    /** Held for the life of the process (a static reference: a collected channel would drop the lock). */
    private static SpoolLock heldSpoolLock;

    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        RouterConfig settings;
        try {
            settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
        } catch (RouterConfig.ConfigException e) {
            return fail("bad configuration: " + e.getMessage());
        }
        PipelineMetrics.install(); // before the pool and the stages register their meters
        Database database = null;
        DicomServer dicom = null;
        WebServer http = null;
        NodeHeartbeat heartbeat = null;
        StageWorkers workers = null;
        DatabaseSize databaseSize = null;
        try {
            ServerSettings server = settings.serverSettings();
            IngestSettings ingest = settings.ingestSettings();
            prepareSpool(ingest.spool(), server.incomingDirectory());
            heldSpoolLock = SpoolLock.acquire(ingest.spool());
            database = new Database(settings.databaseSettings().forNode(ingest.node()));
            migrate(database);
            // Before anything of this node's runs (spool check, workers, ports): its name must be ours alone.
            heartbeat = NodeHeartbeat.claim(database, new NodeHeartbeat.NodeInfo(ingest.node(), org.triagerouter.dicom.RouterVersion.VERSION, server.aeTitle(), server.port(),
                    settings.integer(ConfigKey.HTTP_PORT, 0, 65535), "", ""));
            SpoolReconciler.Result reconciled = new SpoolReconciler(database, ingest).reconcile();
            log.info("spool checked: {} partial transfer(s) removed, {} unrecorded file(s) registered again from orphans/, "
                    + "{} unreadable and {} duplicate file(s) kept in orphans/, {} row(s) without a file", reconciled.partialFilesRemoved(),
                    reconciled.orphansReregistered(), reconciled.orphansUnreadable(), reconciled.orphansDuplicate(), reconciled.rowsWithoutFile());
            workers = StageWorkers.start(database, settings);
            databaseSize = new DatabaseSize(database, settings.databaseCeilingBytes()).start();
            // The listener takes Storage Commitment results (a PACS reporting on a new association) only when a destination asks for them.
            boolean commitments = settings.destinations().stream().anyMatch(org.triagerouter.dispatch.Destination::storageCommitment);
            dicom = new DicomServer(server, new MeteredStoreHandler(new ArmingStoreHandler(new DurableStoreHandler(database, ingest, databaseSize),
                    workers.completionTimers())),
                    commitments ? new org.triagerouter.dispatch.StorageCommitments(database, settings.storageCommitmentSettings()) : null);
            dicom.start();
            StageWorkers running = workers;
            ModelInfo model = workers.modelInfo();
            http = new WebServer(settings.webSettings(server.aeTitle(), dicom.port()), new WebServer.Sources(database,
                    new Readiness(database, ingest.spool(), ingest.minFreeBytes(), running::modelLoaded, stopping::get, databaseSize::problem), model,
                    new OverviewQuery.Thresholds(java.time.Duration.ofMinutes(settings.integer(ConfigKey.ALERTS_BACKLOG_MINUTES, 1, 10_080)),
                            databaseSize.ceilingBytes()))).start();
            heartbeat.reportSpool(() -> usableSpace(ingest.spool()), ingest.minFreeBytes());
            spoolGauge = io.micrometer.core.instrument.Gauge.builder("triage.spool.free", ingest.spool(), p -> usableSpace(p)).baseUnit("bytes")
                    .description("usable space under the spool; below spool.minFreeMegabytes ingest answers 0xA700")
                    .register(io.micrometer.core.instrument.Metrics.globalRegistry);
            heartbeat.update(new NodeHeartbeat.NodeInfo(ingest.node(), org.triagerouter.dicom.RouterVersion.VERSION, server.aeTitle(), dicom.port(),
                    http.port(), model.provider().isEmpty() ? "" : model.id() + " " + model.version(), model.provider()));
            log.info("Triage Router ready: AE title {}, DICOM port {}{}, HTTP port {}, node {}, model {}, spool {}", server.aeTitle(),
                    dicom.port(), server.tls() != null ? " (TLS)" : "", http.port(), ingest.node(), workers.modelDescription(), ingest.spool());
        } catch (RouterConfig.ConfigException e) {
            closeAll(dicom, http, heartbeat, workers, database);
            return fail("bad configuration: " + e.getMessage());
        } catch (NodeHeartbeat.NameInUseException e) {
            closeAll(dicom, http, heartbeat, workers, database);
            return fail(e.getMessage() + "; set " + ConfigKey.NODE_NAME.path + " / " + ConfigKey.NODE_NAME.environmentVariable + " to a unique name");
        } catch (org.quartz.SchedulerException e) {
            closeAll(dicom, http, heartbeat, workers, database);
            return fail("cannot start the lifecycle scheduler: " + e.getMessage());
        } catch (ModelOpenException e) {
            closeAll(dicom, http, heartbeat, workers, database);
            return fail("cannot start: model: " + e.getMessage());
        } catch (IOException | SQLException | IllegalArgumentException | IllegalStateException e) {
            closeAll(dicom, http, heartbeat, workers, database);
            return fail("cannot start: " + e.getMessage());
        }
        heartbeat.onNameLost(() -> {
            log.error("this router's node name was taken over by another router: it stops");
            nameLost.set(true);
            stopSignal.countDown();
        });
        awaitStopSignal();
        stopGracefully(settings, dicom, http, heartbeat, workers, database);
        if (databaseSize != null) databaseSize.close();
        return nameLost.get() ? 1 : 0;
    }

    /** Counted down by SIGTERM, SIGINT, or the loss of this node's name. */
    private static final CountDownLatch stopSignal = new CountDownLatch(1);
    private static final java.util.concurrent.atomic.AtomicBoolean nameLost = new java.util.concurrent.atomic.AtomicBoolean();

    /** The spool's free space on /metrics; held so that it is not collected. */
    private static io.micrometer.core.instrument.Gauge spoolGauge;

    private static long usableSpace(Path spool) {
        try {
            return Files.getFileStore(spool).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Set on SIGTERM: readiness answers 503 from then on. */
    private static final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();

    /** SIGTERM (a service manager, a container stop) or SIGINT (Ctrl-C) starts a graceful stop that exits 0. */
    private static void awaitStopSignal() throws InterruptedException {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stopSignal.countDown());
        }
        stopSignal.await();
    }

    /**
     * Readiness turns 503 at once; the DICOM listener stops taking associations a moment later (a load balancer
     * sees the 503 first) and open ones get the grace to finish; workers claim nothing more, finish what they
     * hold within the grace and hand the rest back.
     */
    private static void stopGracefully(RouterConfig settings, DicomServer dicom, WebServer http, NodeHeartbeat heartbeat, StageWorkers workers,
                                       Database database) throws InterruptedException {
        java.time.Duration grace;
        try {
            grace = settings.clusterSettings().shutdownGrace();
        } catch (RouterConfig.ConfigException e) {
            grace = java.time.Duration.ofSeconds(25); // validated at start; cannot happen
        }
        stopping.set(true);
        log.info("Triage Router stopping: readiness 503, jobs in hand may finish within {} s", grace.toSeconds());
        java.time.Duration drainGrace = grace;
        Thread dicomDrain = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.min(1000, drainGrace.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("DICOM listener closed; waiting for open associations");
            if (!dicom.drain(drainGrace)) log.warn("associations still open after {} s are cut", drainGrace.toSeconds());
        });
        workers.stop(grace);
        dicomDrain.join(grace.plusSeconds(2));
        closeAll(dicom, http, heartbeat, null, database);
        log.info("Triage Router stopped");
    }

    /** Applies migrations; a database that cannot be reached or migrated is a start-up error naming it. */
    public static void migrate(Database database) throws SQLException {
        try {
            int applied = database.migrate();
            if (applied > 0) log.info("database schema: {} migration(s) applied", applied);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new SQLException("database " + database.settings().url() + " unavailable: " + root.getMessage(), e);
        }
    }

    private static void prepareSpool(Path spool, Path incoming) throws IOException {
        try {
            Files.createDirectories(incoming);
        } catch (IOException e) {
            throw new IOException("spool directory " + spool.toAbsolutePath() + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isWritable(spool) || !Files.isWritable(incoming)) {
            throw new IOException("spool directory " + spool.toAbsolutePath() + " is not writable");
        }
        log.info("spool {}: received images written {}", spool.toAbsolutePath(), org.triagerouter.dicom.file.UncachedFileOutput.supported(incoming)
                ? "with O_DIRECT (around the page cache)" : "through the page cache (this file system has no O_DIRECT)");
    }

    private static void closeAll(DicomServer dicom, WebServer http, NodeHeartbeat heartbeat, StageWorkers workers, Database database) {
        if (http != null) http.close();
        if (dicom != null) dicom.close();
        if (workers != null) workers.close();
        if (heartbeat != null) heartbeat.close(); // releases the name once nothing of this node runs any more
        if (database != null) database.close();
    }

    private static int fail(String message) {
        System.err.println("triage-router: " + message);
        return 2;
    }
}
