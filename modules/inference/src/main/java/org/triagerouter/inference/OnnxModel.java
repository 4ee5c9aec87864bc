package org.triagerouter.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model loaded into ONNX Runtime, checked against its manifest. {@link #run} scores a whole batch
 * in one session call; it is safe to call from several threads, as ONNX Runtime sessions are.
 */
public final class OnnxModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final ModelManifest manifest;
    private final ExecutionProvider provider;
    private final int maxBatchSize;
    private final Set<String> outputNames;

    private OnnxModel(OrtEnvironment environment, OrtSession session, ModelManifest manifest, ExecutionProvider provider, int maxBatchSize) {
        this.environment = environment;
        this.session = session;
        this.manifest = manifest;
        this.provider = provider;
        this.maxBatchSize = maxBatchSize;
        this.outputNames = Set.of(manifest.output().name());
    }

    /**
     * Opens the manifest's model on the requested provider and checks it against the manifest.
     *
     * @param intraOpThreads threads ONNX Runtime may use inside one call; 0 lets it choose (one per core)
     */
    public static OnnxModel open(ModelManifest manifest, ExecutionProvider requested, int intraOpThreads) throws ModelOpenException {
        if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be 0 (automatic) or more, got " + intraOpThreads);
        if (!Files.isRegularFile(manifest.modelFile())) {
            throw new ModelOpenException(manifest.source() + ": file: model file " + manifest.modelFile() + " does not exist");
        }
        OrtEnvironment environment = environment();
        OrtSession session;
        ExecutionProvider used;
        CudaUnavailable fallback = null;
        if (requested == ExecutionProvider.CPU) {
            session = cpuSession(environment, manifest, intraOpThreads);
            used = ExecutionProvider.CPU;
        } else {
            try {
                session = cudaSession(environment, manifest, intraOpThreads);
                used = ExecutionProvider.CUDA;
            } catch (CudaUnavailable e) {
                if (requested == ExecutionProvider.CUDA) {
                    throw new ModelOpenException("model " + label(manifest) + ": provider 'cuda' requested but " + e.getMessage()
                            + "; set the provider to 'auto' or 'cpu' to run on the CPU", e.getCause());
                }
                session = cpuSession(environment, manifest, intraOpThreads);
                used = ExecutionProvider.CPU;
                fallback = e;
            }
        }
        int maxBatch;
        try {
            maxBatch = SignatureCheck.verify(manifest, session.getInputInfo(), session.getOutputInfo());
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelOpenException("model " + label(manifest) + ": cannot read its inputs and outputs: " + e.getMessage(), e);
        } catch (ModelOpenException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        String line = "Model {} opened on {} (intra-op threads: {}){}";
        Object[] args = {label(manifest), used.configName(), intraOpThreads == 0 ? "automatic" : intraOpThreads,
                fallback == null ? "" : ": CUDA not used because " + fallback.getMessage()};
        if (fallback != null && fallback.buildHasCuda) {
            log.warn(line, args);   // a GPU build that could not use its GPU is worth someone's attention
        } else {
            log.info(line, args);
        }
        return new OnnxModel(environment, session, manifest, used, maxBatch);
    }

    /**
     * ONNX Runtime's environment, created once per process on a thread with a large native stack: its
     * initialisation recurses deeply, and on a caller's ordinary stack (the JVM main thread's, say) it has
     * overflowed with a SIGSEGV that kills the JVM without a trace (seen with ORT 1.29 in the test suite).
     */
    private static synchronized OrtEnvironment environment() throws ModelOpenException {
        OrtEnvironment[] created = new OrtEnvironment[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread opener = new Thread(null, () -> {
            try {
                created[0] = OrtEnvironment.getEnvironment();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "onnxruntime-init", 256L << 20);
        opener.start();
        try {
            opener.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelOpenException("interrupted while starting ONNX Runtime");
        }
        if (failure[0] != null) throw new ModelOpenException("ONNX Runtime did not start: " + failure[0].getMessage());
        return created[0];
    }

    private static OrtSession cpuSession(OrtEnvironment environment, ModelManifest manifest, int intraOpThreads) throws ModelOpenException {
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            return environment.createSession(manifest.modelFile().toString(), options);
        } catch (OrtException e) {
            throw new ModelOpenException("model " + label(manifest) + ": ONNX Runtime cannot load " + manifest.modelFile() + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession cudaSession(OrtEnvironment environment, ModelManifest manifest, int intraOpThreads) throws CudaUnavailable {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new CudaUnavailable("this ONNX Runtime build has no CUDA execution provider (the 'onnxruntime' artifact is CPU-only;"
                    + " build with -Pcuda for 'onnxruntime_gpu')", false, null);
        }
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            options.addCUDA(0);
            return environment.createSession(manifest.modelFile().toString(), options);
        } catch (OrtException e) {
            throw new CudaUnavailable("the CUDA execution provider failed to start on GPU 0: " + firstLine(e.getMessage()), true, e);
        }
    }

    private static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            if (intraOpThreads > 0) options.setIntraOpNumThreads(intraOpThreads);
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }

    /**
     * A batch tensor buffer for up to {@code images} images, off the Java heap in native byte order: ONNX Runtime
     * reads it where it is (no copy into a tensor of its own), and with CUDA copies it to the device once per batch.
     * Meant to be allocated once and reused for every batch.
     */
    public FloatBuffer newBatchBuffer(int images) {
        long floats = (long) images * manifest.imageTensorSize();
        if (images < 1 || floats * Float.BYTES > Integer.MAX_VALUE) throw new IllegalArgumentException("cannot hold a batch of " + images);
        return ByteBuffer.allocateDirect((int) floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Scores {@code batchSize} images in one call. {@code batch} holds them one after another from index 0, each
     * {@link ModelManifest#imageTensorSize()} floats as written by {@link TensorBuilder#write}; it may be longer
     * than needed, so one buffer can be reused for every batch. A {@link #newBatchBuffer direct} buffer is used in
     * place; any other is copied first.
     *
     * @return per image, the model's raw output values (one per label, before activation)
     */
    public float[][] run(FloatBuffer batch, int batchSize) throws InferenceException {
        ModelManifest.Input input = manifest.input();
        int imageSize = manifest.imageTensorSize();
        if (batchSize < 1 || batchSize > maxBatchSize) {
            throw new IllegalArgumentException("batch size must be between 1 and " + maxBatchSize + ", got " + batchSize);
        }
        if ((long) batchSize * imageSize > batch.capacity()) {
            throw new IllegalArgumentException("a batch of " + batchSize + " needs " + (long) batchSize * imageSize + " floats, got " + batch.capacity());
        }
        long[] shape = {batchSize, input.channels(), input.height(), input.width()};
        int labels = manifest.output().labels().size();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, batch.slice(0, batchSize * imageSize), shape);
             OrtSession.Result result = session.run(Map.of(input.name(), tensor), outputNames)) {
            OnnxValue value = result.get(manifest.output().name()).orElseThrow();
            FloatBuffer values = ((OnnxTensor) value).getFloatBuffer();
            if (values.remaining() != batchSize * labels) {
                throw new InferenceException("model " + label(manifest) + ": output '" + manifest.output().name() + "' has "
                        + values.remaining() + " values for " + batchSize + " images, expected " + labels + " per image");
            }
            float[][] perImage = new float[batchSize][labels];
            for (float[] row : perImage) values.get(row);
            return perImage;
        } catch (OrtException e) {
            throw new InferenceException("model " + label(manifest) + ": ONNX Runtime failed on a batch of " + batchSize + ": " + e.getMessage(), e);
        }
    }

    /** {@link #run(FloatBuffer, int)} on an array (copied into ONNX Runtime's own buffer on every call). */
    public float[][] run(float[] batch, int batchSize) throws InferenceException {
        return run(FloatBuffer.wrap(batch), batchSize);
    }

    public ModelManifest manifest() { return manifest; }

    /** The provider actually in use: "cuda" or "cpu". */
    public String provider() { return provider.configName(); }

    /** The model's fixed batch dimension, or {@link Integer#MAX_VALUE} when it accepts any batch size. */
    public int maxBatchSize() { return maxBatchSize; }

    @Override
    public void close() { closeQuietly(session); }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing an ONNX Runtime session failed: {}", e.getMessage());
        }
    }

    private static String label(ModelManifest manifest) { return manifest.id() + " version " + manifest.version(); }

    private static String firstLine(String message) {
        if (message == null) return "no message";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Why CUDA cannot be used here; the message completes "... because ...". */
    private static final class CudaUnavailable extends Exception {
        final boolean buildHasCuda;

        CudaUnavailable(String reason, boolean buildHasCuda, Throwable cause) {
            super(reason, cause);
            this.buildHasCuda = buildHasCuda;
        }
    }
}
