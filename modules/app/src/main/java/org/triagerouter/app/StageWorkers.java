package org.triagerouter.app;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.inference.DemoModel;
import org.triagerouter.inference.InferSettings;
import org.triagerouter.inference.InferWorker;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.inference.ModelOpenException;
import org.triagerouter.inference.OnnxModel;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.prepare.PrepareStage;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobWorker;

/** This node's pipeline workers: prepare (for files in its spool) and infer (for any node's images). */
final class StageWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StageWorkers.class);

    private final List<AutoCloseable> running = new ArrayList<>();
    private OnnxModel model;

    /** Loads the model (checking its manifest against it) before any worker starts; a mismatch stops start-up. */
    static StageWorkers start(Database database, RouterConfig config) throws RouterConfig.ConfigException, IOException, ModelOpenException {
        StageWorkers workers = new StageWorkers();
        try {
            PrepareSettings prepare = config.prepareSettings();
            PrepareStage prepareStage = new PrepareStage(database, prepare);
            for (int i = 1; i <= prepare.workers(); i++) {
                JobWorker.Settings settings = new JobWorker.Settings(JobKinds.PREPARE, prepare.node() + "-prepare-" + i, prepare.node(), 4,
                        Duration.ofMinutes(5), Duration.ofSeconds(2));
                workers.running.add(new JobWorker(database, settings, prepareStage).start());
            }
            int inferWorkers = config.integer(ConfigKey.INFERENCE_WORKERS, 0, 64);
            if (inferWorkers > 0) {
                workers.model = OnnxModel.open(ModelManifest.load(manifestPath(config)), config.executionProvider(),
                        config.integer(ConfigKey.INFERENCE_INTRA_OP_THREADS, 0, 256));
                ModelManifest m = workers.model.manifest();
                log.info("model {} version {} on {}{}", m.id(), m.version(), workers.model.provider(),
                        m.demo() ? " (DEMO MODEL: its scores mean nothing)" : m.clinicalUse() ? "" : " (not for clinical use)");
                InferSettings infer = config.inferSettings();
                for (int i = 1; i <= inferWorkers; i++) {
                    workers.running.add(new InferWorker(database, workers.model, infer, infer.node() + "-infer-" + i).start());
                }
            }
            return workers;
        } catch (RouterConfig.ConfigException | IOException | ModelOpenException | RuntimeException e) {
            workers.close();
            throw e;
        }
    }

    /** The configured manifest, else the demo model, written afresh (it is deterministic) into its folder. */
    private static Path manifestPath(RouterConfig config) throws IOException {
        String configured = config.string(ConfigKey.MODEL);
        if (!configured.isEmpty()) return Path.of(configured);
        return DemoModel.write(Path.of(config.string(ConfigKey.DEMO_MODEL_DIR)));
    }

    String modelDescription() {
        if (model == null) return "no infer workers";
        return model.manifest().id() + " " + model.manifest().version() + " on " + model.provider();
    }

    @Override
    public void close() {
        for (AutoCloseable worker : running) {
            try {
                worker.close();
            } catch (Exception e) {
                log.warn("stopping a worker: {}", e.getMessage());
            }
        }
        if (model != null) model.close();
    }
}
