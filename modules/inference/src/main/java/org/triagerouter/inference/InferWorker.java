package org.triagerouter.inference;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.JobWakeups;
import org.triagerouter.store.RetryPolicy;

/**
 * The infer stage: claims infer jobs and runs them through the model in batches. A batch runs when
 * it is full or when its first image has waited {@code maxWait} (dynamic batching). Two threads
 * form a pipeline so the model never waits for I/O: one claims the next batch, loads its canonical
 * images and builds its tensors (in parallel) while the other runs the current batch and stores its
 * scores, each with its job's completion, in one transaction. One score per image and model
 * version: a job that comes back after a lease expired cannot score its image twice.
 */
public final class InferWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferWorker.class);

    private final Database database;
    private final JobQueue queue;
    private final JobWakeups wakeups;
    private final OnnxModel model;
    private final TensorBuilder tensors;
    private final ScoreReader scores;
    private final InferSettings settings;
    private final String owner;
    private final int batchSize;
    /** Two tensor buffers: one being filled by the preparer while the runner reads the other. */
    private final java.util.concurrent.BlockingQueue<float[]> freeBuffers = new java.util.concurrent.ArrayBlockingQueue<>(2);
    private final java.util.concurrent.BlockingQueue<PreparedBatch> prepared = new java.util.concurrent.ArrayBlockingQueue<>(1);
    private final Thread preparer;
    private final Thread runner;
    private volatile boolean running = true;

    public InferWorker(Database database, OnnxModel model, InferSettings settings, String owner) {
        this.database = database;
        this.queue = new JobQueue(database);
        this.wakeups = new JobWakeups(database.settings());
        this.model = model;
        this.tensors = new TensorBuilder(model.manifest());
        this.scores = new ScoreReader(model.manifest());
        this.settings = settings;
        this.owner = owner;
        this.batchSize = Math.max(1, Math.min(settings.batchSize(), model.maxBatchSize()));
        for (int i = 0; i < 2; i++) freeBuffers.add(new float[batchSize * tensors.imageTensorSize()]);
        this.preparer = Thread.ofPlatform().name(owner + "-prepare").daemon(true).unstarted(this::prepareLoop);
        this.runner = Thread.ofPlatform().name(owner).daemon(true).unstarted(this::runLoop);
    }

    public InferWorker start() {
        preparer.start();
        runner.start();
        return this;
    }

    /** A claimed batch with its tensors built, waiting for the model. */
    private record PreparedBatch(List<Input> inputs, float[] buffer, String[] failures, int tensorMs) {}

    private void prepareLoop() {
        while (running) {
            float[] buffer;
            try {
                // A free buffer first: never claim a batch there is no room to prepare.
                buffer = freeBuffers.take();
            } catch (InterruptedException e) {
                return;
            }
            boolean handedOver = false;
            List<Job> batch = List.of();
            try {
                batch = claimBatch();
                if (batch.isEmpty()) continue;
                PreparedBatch ready = prepare(batch, buffer);
                if (ready != null) {
                    prepared.put(ready);
                    handedOver = true;
                }
            } catch (InterruptedException e) {
                release(batch);
                return;
            } catch (Throwable e) {
                log.error("{}: {}", owner, e.toString());
                release(batch);
                sleep();
            } finally {
                if (!handedOver) freeBuffers.add(buffer);
            }
        }
    }

    /** Hands claimed but unrun jobs straight back instead of leaving them to their lease. */
    private void release(List<Job> jobs) {
        try {
            queue.release(jobs, owner);
        } catch (SQLException | RuntimeException e) {
            // Unreachable database: the leases expire instead.
        }
    }

    private void runLoop() {
        while (running) {
            PreparedBatch batch;
            try {
                batch = prepared.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                run(batch);
            } catch (Throwable e) {
                log.error("{}: {}", owner, e.toString());
                release(batch.inputs().stream().map(Input::job).toList());
                sleep();
            } finally {
                freeBuffers.add(batch.buffer());
            }
        }
    }

    /** Fills a batch: waits for work, then for more until full or until the first job has waited maxWait. */
    List<Job> claimBatch() throws SQLException, InterruptedException {
        List<Job> batch = new ArrayList<>(queue.claim(JobKinds.INFER, owner, null, batchSize, settings.lease()));
        if (batch.isEmpty()) {
            wakeups.await(JobKinds.INFER, settings.pollInterval());
            return batch;
        }
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        while (batch.size() < batchSize) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) break;
            wakeups.await(JobKinds.INFER, java.time.Duration.ofNanos(remaining));
            batch.addAll(queue.claim(JobKinds.INFER, owner, null, batchSize - batch.size(), settings.lease()));
        }
        return batch;
    }

    private record Input(Job job, long instanceId, byte[] png) {}

    /** Loads the batch's canonical images and builds their tensors into {@code buffer}; null when none is left to run. */
    private PreparedBatch prepare(List<Job> jobs, float[] buffer) throws SQLException {
        List<Input> inputs = load(jobs);
        if (inputs.isEmpty()) return null;
        long t0 = System.nanoTime();
        String[] failures = new String[inputs.size()];
        // One thread is enough while the model runs the previous batch; more would only compete with it.
        IntStream.range(0, inputs.size()).forEach(i -> {
            try {
                tensors.write(GrayImage.decodePng(inputs.get(i).png()), buffer, i * tensors.imageTensorSize());
            } catch (IOException | RuntimeException e) {
                failures[i] = "canonical image unreadable: " + e.getMessage();
            }
        });
        return new PreparedBatch(inputs, buffer, failures, (int) ((System.nanoTime() - t0) / 1_000_000));
    }

    private void run(PreparedBatch batch) throws SQLException {
        List<Input> inputs = batch.inputs();
        String[] failures = batch.failures();
        int n = inputs.size();
        long t1 = System.nanoTime();
        float[][] outputs;
        try {
            // A model with a fixed batch dimension takes only full batches: pad with whatever the buffer holds.
            outputs = model.run(batch.buffer(), model.maxBatchSize() == Integer.MAX_VALUE ? n : model.maxBatchSize());
        } catch (InferenceException e) {
            for (Input input : inputs) queue.fail(input.job().id(), owner, "inference failed: " + e.getMessage(), false, RetryPolicy.DEFAULT);
            log.error("{}: batch of {} failed: {}", owner, n, e.getMessage());
            return;
        }
        long t2 = System.nanoTime();
        int tensorMs = batch.tensorMs(), runMs = (int) ((t2 - t1) / 1_000_000);
        int stored = 0;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < n; i++) {
                    Input input = inputs.get(i);
                    if (failures[i] != null) continue;
                    ModelScore score;
                    try {
                        score = scores.read(outputs[i]);
                    } catch (InferenceException e) {
                        failures[i] = e.getMessage();
                        continue;
                    }
                    // Completion first: if our lease was lost the job is someone else's now, and so is the score.
                    if (!JobQueue.complete(c, input.job().id(), owner)) continue;
                    insertScore(c, input.instanceId(), score, n, tensorMs, runMs);
                    stored++;
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) queue.fail(inputs.get(i).job().id(), owner, failures[i], true, RetryPolicy.DEFAULT);
        }
        log.debug("{}: scored {} of {} image(s) on {} (tensors {} ms, run {} ms, store {} ms)", owner, stored, n, model.provider(),
                tensorMs, runMs, (System.nanoTime() - t2) / 1_000_000);
    }

    /** The canonical PNGs of the batch's instances, in one query; a job without one fails for good. */
    private List<Input> load(List<Job> jobs) throws SQLException {
        Map<String, Input> bySop = new HashMap<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select i.sop_instance_uid, i.id, ci.png from instance i join canonical_image ci on ci.instance_id = i.id
                      where i.sop_instance_uid = any (?)""")) {
            Array uids = c.createArrayOf("text", jobs.stream().map(Job::subject).toArray());
            s.setArray(1, uids);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) bySop.put(rs.getString(1), new Input(null, rs.getLong(2), rs.getBytes(3)));
            }
        }
        List<Input> inputs = new ArrayList<>();
        for (Job job : jobs) {
            Input found = bySop.get(job.subject());
            if (found == null) {
                queue.fail(job.id(), owner, "no canonical image for " + job.subject(), true, RetryPolicy.DEFAULT);
            } else {
                inputs.add(new Input(job, found.instanceId(), found.png()));
            }
        }
        return inputs;
    }

    private void insertScore(Connection c, long instanceId, ModelScore score, int batch, int tensorMs, int runMs) throws SQLException {
        ModelManifest m = model.manifest();
        try (PreparedStatement s = c.prepareStatement("""
                insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores,
                                   provider, batch_size, tensor_ms, run_ms, node)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (instance_id, model_id, model_version) do nothing""")) {
            s.setLong(1, instanceId);
            s.setString(2, m.id());
            s.setString(3, m.version());
            s.setBoolean(4, m.demo());
            s.setDouble(5, score.score());
            s.setString(6, score.priority().name());
            s.setString(7, String.join(",", score.positiveOperatingPoints()));
            StringBuilder labels = new StringBuilder();
            score.labelProbabilities().forEach((label, p) -> labels.append(labels.isEmpty() ? "" : ",").append(label).append('=')
                    .append(String.format(java.util.Locale.ROOT, "%.4f", p)));
            s.setString(8, labels.toString());
            s.setString(9, model.provider());
            s.setInt(10, batch);
            s.setInt(11, tensorMs);
            s.setInt(12, runMs);
            s.setString(13, settings.node());
            s.executeUpdate();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(settings.pollInterval().toMillis());
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /** True once both threads have ended. */
    public boolean stopped() { return !preparer.isAlive() && !runner.isAlive(); }

    @Override
    public void close() {
        running = false;
        preparer.interrupt();
        runner.interrupt();
        try {
            preparer.join(10_000);
            runner.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PreparedBatch waiting = prepared.poll();
        if (waiting != null) release(waiting.inputs().stream().map(Input::job).toList());
        wakeups.close();
    }
}
