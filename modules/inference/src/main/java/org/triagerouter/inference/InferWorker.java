package org.triagerouter.inference;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.JobWakeups;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.RetryPolicy;

/**
 * The infer stage: claims infer jobs and runs them through the model in batches. A batch runs when
 * it is full or when its first image has waited {@code maxWait} (dynamic batching). Two threads
 * form a pipeline so the model never waits for I/O: one claims the next batch, reads its model-ready
 * inputs ({@link BatchInputs}) and normalises them into the batch tensor while the other runs the current batch and
 * stores its scores ({@link ScoreRecords}), each with its job's completion, in one transaction. One score per image and
 * model version: a job that comes back after a lease expired cannot score its image twice.
 *
 * <p>An image prepared without an input of this model's geometry has it derived from its canonical image here, and not
 * written back: an image is scored once per model version, so a stored copy would hardly ever be read again, while
 * writing it would add its bytes to every such batch's transaction. Newly prepared images carry the configured model's input.
 */
public final class InferWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferWorker.class);

    private final Database database;
    private final JobQueue queue;
    private final JobWakeups wakeups;
    private final LeaseKeeper leases;
    private final OnnxModel model;
    private final TensorBuilder tensors;
    private final ScoreReader scores;
    private final InferSettings settings;
    private final String owner;
    private final int batchSize;
    /** Two tensor buffers, direct (ONNX Runtime reads them in place): one being filled by the preparer while the runner reads the other. */
    private final java.util.concurrent.BlockingQueue<FloatBuffer> freeBuffers = new java.util.concurrent.ArrayBlockingQueue<>(2);
    private final java.util.concurrent.BlockingQueue<PreparedBatch> prepared = new java.util.concurrent.ArrayBlockingQueue<>(1);
    private final Thread preparer;
    private final Thread runner;
    private volatile boolean running = true;
    private volatile boolean saidDeriving;

    public InferWorker(Database database, LeaseKeeper leases, OnnxModel model, InferSettings settings, String owner) {
        this.database = database;
        this.leases = leases;
        this.queue = new JobQueue(database);
        this.wakeups = new JobWakeups(database.settings());
        this.model = model;
        this.tensors = new TensorBuilder(model.manifest());
        this.scores = new ScoreReader(model.manifest());
        this.settings = settings;
        this.owner = owner;
        this.batchSize = Math.max(1, Math.min(settings.batchSize(), model.maxBatchSize()));
        // A model with a fixed batch dimension is always run with a full buffer (padded).
        int images = model.maxBatchSize() == Integer.MAX_VALUE ? batchSize : model.maxBatchSize();
        for (int i = 0; i < 2; i++) freeBuffers.add(model.newBatchBuffer(images));
        this.preparer = Thread.ofPlatform().name(owner + "-prepare").daemon(true).unstarted(this::prepareLoop);
        this.runner = Thread.ofPlatform().name(owner).daemon(true).unstarted(this::runLoop);
    }

    public InferWorker start() {
        preparer.start();
        runner.start();
        return this;
    }

    /** A claimed batch with its tensors built, waiting for the model. */
    private record PreparedBatch(List<Input> inputs, FloatBuffer buffer, String[] failures, int tensorMs) {}

    private void prepareLoop() {
        while (running) {
            FloatBuffer buffer;
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
        leases.drop(jobs);
    }

    private void record(List<Job> jobs, List<Outcome> outcomes) throws SQLException {
        try {
            queue.record(jobs, owner, outcomes, RetryPolicy.DEFAULT);
        } finally {
            leases.drop(jobs);
        }
    }

    private void runLoop() {
        while (running) {
            PreparedBatch batch;
            try {
                batch = prepared.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) continue;
            try {
                run(batch);
            } catch (Throwable e) {
                // Counted as an attempt (not released): a batch that always breaks ends FAILED instead of looping.
                log.error("{}: {}", owner, e.toString());
                List<Job> jobs = batch.inputs().stream().map(Input::job).toList();
                try {
                    record(jobs, jobs.stream().map(j -> Outcome.retry("infer failed: " + e)).toList());
                } catch (SQLException | RuntimeException unrecorded) {
                    leases.drop(jobs); // unreachable database: the leases lapse and the jobs are taken over
                }
                sleep();
            } finally {
                freeBuffers.add(batch.buffer());
            }
        }
    }

    /** Fills a batch: waits for work, then for more until full or until the first job has waited maxWait. */
    List<Job> claimBatch() throws SQLException, InterruptedException {
        List<Job> batch = new ArrayList<>(claim(batchSize));
        if (batch.isEmpty()) {
            wakeups.await(JobKind.INFER.id(), settings.pollInterval());
            return batch;
        }
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        try {
            while (batch.size() < batchSize) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) break;
                wakeups.await(JobKind.INFER.id(), java.time.Duration.ofNanos(remaining));
                batch.addAll(claim(batchSize - batch.size()));
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            release(batch); // stopped or cut off while filling: what was claimed goes straight back
            throw e;
        }
        return batch;
    }

    private List<Job> claim(int max) throws SQLException {
        if (!running) return List.of();
        List<Job> jobs = queue.claim(JobKind.INFER, owner, null, max, leases.lease());
        leases.hold(jobs, owner);
        return jobs;
    }

    private record Input(Job job, BatchInputs.Image image) {}

    /** Reads the batch's model-ready inputs and normalises them into {@code buffer}; null when none is left to run. */
    private PreparedBatch prepare(List<Job> jobs, FloatBuffer buffer) throws SQLException {
        List<Input> inputs = load(jobs);
        if (inputs.isEmpty()) return null;
        long t0 = System.nanoTime();
        String[] failures = new String[inputs.size()];
        int derived = 0;
        // One thread is enough while the model runs the previous batch; more would only compete with it.
        for (int i = 0; i < inputs.size(); i++) {
            BatchInputs.Image image = inputs.get(i).image();
            int offset = i * tensors.imageTensorSize();
            try {
                if (image.stored()) {
                    tensors.write(image.modelInput(), buffer, offset);
                } else {
                    tensors.write(GrayImage.decodePng(image.png()), buffer, offset);
                    derived++;
                }
            } catch (IOException | RuntimeException e) {
                failures[i] = (image.stored() ? "model input unusable: " : "canonical image unreadable: ") + e.getMessage();
            }
        }
        if (derived > 0 && !saidDeriving) {
            saidDeriving = true;
            log.info("{}: images prepared without a {} input are fitted from their canonical image here (slower; newly prepared images carry it)",
                    owner, tensors.geometry().key());
        }
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
            log.error("{}: batch of {} failed: {}", owner, n, e.getMessage());
            record(inputs.stream().map(Input::job).toList(),
                    inputs.stream().map(i -> Outcome.retry("inference failed: " + e.getMessage())).toList());
            return;
        }
        long t2 = System.nanoTime();
        int tensorMs = batch.tensorMs(), runMs = (int) ((t2 - t1) / 1_000_000);
        ScoreRecords.Batch ran = new ScoreRecords.Batch(model.provider(), n, tensorMs, runMs, settings.node());
        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Input input = inputs.get(i);
            if (failures[i] != null) {
                outcomes.add(Outcome.failed(failures[i]));
                continue;
            }
            try {
                ModelScore score = scores.read(outputs[i]);
                outcomes.add(Outcome.done(c -> ScoreRecords.insert(c, input.image().instanceId(), model.manifest(), score, ran)));
            } catch (InferenceException e) {
                outcomes.add(Outcome.failed(e.getMessage()));
            }
        }
        record(inputs.stream().map(Input::job).toList(), outcomes);
        log.debug("{}: scored {} image(s) on {} (tensors {} ms, run {} ms, store {} ms)", owner, n, model.provider(),
                tensorMs, runMs, (System.nanoTime() - t2) / 1_000_000);
    }

    /** The batch's model-ready inputs (or canonical PNGs), in one query; a job without a canonical image fails for good. */
    private List<Input> load(List<Job> jobs) throws SQLException {
        Map<String, BatchInputs.Image> bySop;
        try (Connection c = database.connection()) {
            bySop = BatchInputs.read(c, jobs.stream().map(Job::subject).toList(), tensors.geometry());
        }
        List<Input> inputs = new ArrayList<>();
        List<Job> missing = new ArrayList<>();
        for (Job job : jobs) {
            BatchInputs.Image found = bySop.get(job.subject());
            if (found == null) missing.add(job);
            else inputs.add(new Input(job, found));
        }
        record(missing, missing.stream().map(j -> Outcome.failed("no canonical image for " + j.subject())).toList());
        return inputs;
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

    /** Claims nothing more; the batch being run finishes, a batch prepared but not run is handed back. */
    public void stopClaiming() {
        running = false;
        preparer.interrupt(); // it is only claiming, waiting or building tensors: the claimed jobs are released
    }

    /** Waits up to {@code timeout} for the batch in hand; true when both threads have ended. */
    public boolean awaitStopped(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        preparer.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        runner.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        return stopped();
    }

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
