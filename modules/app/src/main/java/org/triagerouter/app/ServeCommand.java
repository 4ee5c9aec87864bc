package org.triagerouter.app;

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
import org.triagerouter.ingest.SpoolLock;
import org.triagerouter.ingest.SpoolReconciler;
import org.triagerouter.store.Database;
import org.triagerouter.store.NodeHeartbeat;
import org.triagerouter.web.ModelInfo;
import org.triagerouter.web.PipelineMetrics;
import org.triagerouter.web.Readiness;
import org.triagerouter.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Run the router: DICOM C-STORE/C-ECHO SCP, the ingest stage and the HTTP server.")
final class ServeCommand implements Callable<Integer> {
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
        try {
            ServerSettings server = settings.serverSettings();
            IngestSettings ingest = settings.ingestSettings();
            prepareSpool(ingest.spool(), server.incomingDirectory());
            heldSpoolLock = SpoolLock.acquire(ingest.spool());
            database = new Database(settings.databaseSettings().forNode(ingest.node()));
            migrate(database);
            // Before anything of this node's runs (spool check, workers, ports): its name must be ours alone.
            heartbeat = NodeHeartbeat.claim(database, new NodeHeartbeat.NodeInfo(ingest.node(), Main.VERSION, server.aeTitle(), server.port(),
                    settings.integer(ConfigKey.HTTP_PORT, 0, 65535), "", ""));
            SpoolReconciler.Result reconciled = new SpoolReconciler(database, ingest).reconcile();
            log.info("spool checked: {} partial and {} unrecorded file(s) removed, {} row(s) without a file",
                    reconciled.partialFilesRemoved(), reconciled.orphanFilesRemoved(), reconciled.rowsWithoutFile());
            workers = StageWorkers.start(database, settings);
            dicom = new DicomServer(server, new MeteredStoreHandler(new DurableStoreHandler(database, ingest)));
            dicom.start();
            StageWorkers running = workers;
            ModelInfo model = workers.modelInfo();
            http = new WebServer(settings.webSettings(server.aeTitle(), dicom.port()), new WebServer.Sources(database,
                    new Readiness(database, ingest.spool(), ingest.minFreeBytes(), running::modelLoaded), model)).start();
            heartbeat.update(new NodeHeartbeat.NodeInfo(ingest.node(), Main.VERSION, server.aeTitle(), dicom.port(),
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
        CountDownLatch stopped = new CountDownLatch(1);
        DicomServer dicomToClose = dicom;
        WebServer httpToClose = http;
        NodeHeartbeat heartbeatToClose = heartbeat;
        Database databaseToClose = database;
        StageWorkers workersToClose = workers;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Triage Router stopping");
            closeAll(dicomToClose, httpToClose, heartbeatToClose, workersToClose, databaseToClose);
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** Applies migrations; a database that cannot be reached or migrated is a start-up error naming it. */
    static void migrate(Database database) throws SQLException {
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
