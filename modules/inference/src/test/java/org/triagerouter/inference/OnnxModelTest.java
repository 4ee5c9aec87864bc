package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.triagerouter.inference.OnnxEncoding.Dim;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening models: provider choice, and manifests that do not match the model they describe. */
class OnnxModelTest {
    @TempDir
    Path dir;
    Path demoManifest;
    String demoText;

    @BeforeEach
    void writeDemo() throws Exception {
        demoManifest = DemoModel.write(dir);
        demoText = Files.readString(demoManifest);
    }

    private ModelManifest demoWith(String from, String to) throws Exception {
        assertTrue(demoText.contains(from), "demo manifest lacks: " + from);
        Path edited = dir.resolve("edited.yaml");
        Files.writeString(edited, demoText.replace(from, to));
        return ModelManifest.load(edited);
    }

    private static String openFails(ModelManifest manifest) {
        return assertThrows(ModelOpenException.class, () -> OnnxModel.open(manifest, ExecutionProvider.CPU, 1).close()).getMessage();
    }

    private static boolean cudaInThisBuild() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    @Test
    void autoFallsBackToCpuWhenThereIsNoCuda() throws Exception {
        assumeFalse(cudaInThisBuild(), "this ONNX Runtime build has CUDA; the fallback cannot be observed here");
        try (OnnxModel model = OnnxModel.open(ModelManifest.load(demoManifest), ExecutionProvider.AUTO, 0)) {
            assertEquals("cpu", model.provider());
            assertEquals(1, model.run(new float[224 * 224], 1).length, "and it works there");
        }
    }

    @Test
    void cudaRefusesClearlyWhenThereIsNoCuda() throws Exception {
        assumeFalse(cudaInThisBuild(), "this ONNX Runtime build has CUDA; cannot observe the refusal");
        ModelOpenException e = assertThrows(ModelOpenException.class,
                () -> OnnxModel.open(ModelManifest.load(demoManifest), ExecutionProvider.CUDA, 0));
        assertTrue(e.getMessage().contains("provider 'cuda' requested but this ONNX Runtime build has no CUDA execution provider"), e.getMessage());
        assertTrue(e.getMessage().contains("'auto' or 'cpu'"), e.getMessage());
    }

    @Test
    void providerNamesParseFromConfiguration() {
        assertEquals(ExecutionProvider.AUTO, ExecutionProvider.parse("auto"));
        assertEquals(ExecutionProvider.CUDA, ExecutionProvider.parse(" CUDA "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("gpu"));
        assertTrue(e.getMessage().contains("[auto, cuda, cpu]"), e.getMessage());
    }

    @Test
    void wrongInputNameNamesBothSides() throws Exception {
        String message = openFails(demoWith("  name: image", "  name: img"));
        assertTrue(message.contains("manifest input 'img' not in model inputs [image]"), message);
        assertTrue(message.contains("edited.yaml") && message.contains(DemoModel.MODEL_FILE), message);
    }

    @Test
    void wrongChannelsNamesBothSides() throws Exception {
        String message = openFails(demoWith("channels: 1", "channels: 3"));
        assertTrue(message.contains("model input 'image' has 1 channel (shape [batch, 1, height, width]), manifest says 3"), message);
    }

    @Test
    void wrongOutputNameAndLabelCountNameBothSides() throws Exception {
        String name = openFails(demoWith("name: logit", "name: probability"));
        assertTrue(name.contains("manifest output 'probability' not in model outputs [logit]"), name);
        String labels = openFails(demoWith("labels: [abnormal]", "labels: [abnormal, normal]"));
        assertTrue(labels.contains("model output 'logit' has 1 values per image (shape [batch, 1]), manifest lists 2 labels [abnormal, normal]"), labels);
    }

    @Test
    void fixedModelDimensionsMustMatchTheManifest() throws Exception {
        // The demo graph with every dimension fixed: [1, 3, 256, 256] → [1, 1].
        byte[] fixed = OnnxEncoding.model(8, 13, "test", OnnxEncoding.graph("fixed",
                List.of(OnnxEncoding.node("pool", "GlobalAveragePool", List.of("image"), "pooled"),
                        OnnxEncoding.node("flatten", "Flatten", List.of("pooled"), "flat", OnnxEncoding.intAttribute("axis", 1)),
                        OnnxEncoding.node("mean", "ReduceMean", List.of("flat"), "logit", OnnxEncoding.intAttribute("keepdims", 1))),
                List.of(),
                List.of(OnnxEncoding.floatTensorInfo("image", Dim.of(1), Dim.of(3), Dim.of(256), Dim.of(256))),
                List.of(OnnxEncoding.floatTensorInfo("logit", Dim.of(1), Dim.of(1))))).toByteArray();
        Files.write(dir.resolve(DemoModel.MODEL_FILE), fixed);

        String channels = openFails(ModelManifest.load(demoManifest));
        assertTrue(channels.contains("model input 'image' has 3 channels (shape [1, 3, 256, 256]), manifest says 1"), channels);
        String height = openFails(demoWith("channels: 1", "channels: 3"));
        assertTrue(height.contains("model input 'image' has height 256 (shape [1, 3, 256, 256]), manifest says 224"), height);

        ModelManifest matching = demoWith("channels: 1\n  height: 224\n  width: 224", "channels: 3\n  height: 256\n  width: 256");
        try (OnnxModel model = OnnxModel.open(matching, ExecutionProvider.CPU, 1)) {
            assertEquals(1, model.maxBatchSize(), "a fixed batch dimension limits the batch");
            assertThrows(IllegalArgumentException.class, () -> model.run(new float[2 * 3 * 256 * 256], 2));
            assertEquals(1, model.run(new float[3 * 256 * 256], 1).length);
        }
    }

    @Test
    void missingModelFileIsNamed() throws Exception {
        Files.delete(dir.resolve(DemoModel.MODEL_FILE));
        String message = openFails(ModelManifest.load(demoManifest));
        assertTrue(message.contains("file: model file " + dir.resolve(DemoModel.MODEL_FILE).toAbsolutePath()) && message.contains("does not exist"), message);
    }

    @Test
    void corruptModelFileIsReportedNotCrashed() throws Exception {
        Files.write(dir.resolve(DemoModel.MODEL_FILE), new byte[] {1, 2, 3, 4, 5});
        String message = openFails(ModelManifest.load(demoManifest));
        assertTrue(message.contains("ONNX Runtime cannot load"), message);
    }

    @Test
    void batchBufferTooShortIsRefused() throws Exception {
        try (OnnxModel model = OnnxModel.open(ModelManifest.load(demoManifest), ExecutionProvider.CPU, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.run(new float[224 * 224], 2));
            assertTrue(e.getMessage().contains("needs " + 2 * 224 * 224), e.getMessage());
        }
    }
}
