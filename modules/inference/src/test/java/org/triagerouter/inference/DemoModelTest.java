package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated demo model: real ONNX Runtime loads it, scores batches, and bright beats dark. */
class DemoModelTest {
    @TempDir
    Path dir;

    @Test
    void demoModelLoadsOnCpuAndMatchesItsManifest() throws Exception {
        ModelManifest manifest = ModelManifest.load(DemoModel.write(dir));
        assertEquals("triage-demo", manifest.id());
        assertEquals("1", manifest.version());
        assertTrue(manifest.demo());
        assertFalse(manifest.clinicalUse());
        assertEquals(dir.resolve(DemoModel.MODEL_FILE).toAbsolutePath().normalize(), manifest.modelFile());
        try (OnnxModel model = OnnxModel.open(manifest, ExecutionProvider.CPU, 1)) {
            assertEquals("cpu", model.provider());
            assertEquals(Integer.MAX_VALUE, model.maxBatchSize(), "the demo model's batch dimension is symbolic");
        }
    }

    @Test
    void batchOfFourGivesFourScoresAndBrighterImagesScoreHigher() throws Exception {
        ModelManifest manifest = ModelManifest.load(DemoModel.write(dir));
        TensorBuilder tensors = new TensorBuilder(manifest);
        ScoreReader scores = new ScoreReader(manifest);
        List<GrayImage> images = List.of(uniform(300, 400, 10), uniform(512, 512, 255), uniform(100, 80, 128), uniform(640, 480, 200));
        float[] batch = new float[images.size() * tensors.imageTensorSize() + 17];   // longer than needed: buffers get reused
        for (int i = 0; i < images.size(); i++) tensors.write(images.get(i), batch, i * tensors.imageTensorSize());

        try (OnnxModel model = OnnxModel.open(manifest, ExecutionProvider.CPU, 0)) {
            float[][] outputs = model.run(batch, images.size());
            assertEquals(4, outputs.length);
            for (float[] output : outputs) assertEquals(1, output.length);
            // logit = 10 × (mean − 0.5): exact for uniform images.
            assertEquals(10 * (10 / 255.0 - 0.5), outputs[0][0], 1e-4);
            assertEquals(5.0, outputs[1][0], 1e-4);

            ModelScore dark = scores.read(outputs[0]), bright = scores.read(outputs[1]);
            ModelScore middle = scores.read(outputs[2]), light = scores.read(outputs[3]);
            assertTrue(dark.score() < 0.05, "dark scored " + dark.score());
            assertTrue(bright.score() > 0.95, "bright scored " + bright.score());
            assertTrue(dark.score() < middle.score() && middle.score() < light.score() && light.score() < bright.score());
            assertEquals(TriagePriority.ROUTINE, dark.priority());
            assertEquals(TriagePriority.URGENT, bright.priority());
            assertEquals(List.of(), dark.positiveOperatingPoints());
            assertEquals(List.of("demo"), bright.positiveOperatingPoints());

            // Batching must not mix images: each one alone gives the same output.
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(outputs[i], model.run(tensors.build(images.get(i)), 1)[0], 1e-5f, "image " + i);
            }
        }
    }

    @Test
    void writtenBytesAreTheSameEveryTime() throws Exception {
        Path first = DemoModel.write(dir.resolve("a"));
        Path second = DemoModel.write(dir.resolve("b"));
        DemoModel.write(dir.resolve("a"));   // overwriting in place too
        for (String name : List.of(DemoModel.MODEL_FILE, DemoModel.MANIFEST_FILE)) {
            assertArrayEquals(Files.readAllBytes(first.resolveSibling(name)), Files.readAllBytes(second.resolveSibling(name)), name);
        }
        try (var files = Files.list(dir.resolve("a"))) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
        // Pinned, so a change that makes the bytes depend on the run (map order, time) or the machine shows up here.
        byte[] model = Files.readAllBytes(first.resolveSibling(DemoModel.MODEL_FILE));
        assertEquals(0x08, model[0], "field 1 (ir_version), varint");
        assertEquals(8, model[1], "ir_version 8");
        assertEquals(DEMO_MODEL_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)));
    }

    static final String DEMO_MODEL_SHA256 = "f19f1b55f3735e45405f51bd4457dde53abfb772c12e9e2e9df5724ebc03a3c4";

    static GrayImage uniform(int width, int height, int value) {
        byte[] pixels = new byte[width * height];
        java.util.Arrays.fill(pixels, (byte) value);
        return new GrayImage(width, height, pixels);
    }
}
