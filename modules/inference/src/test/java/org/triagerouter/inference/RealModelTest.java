package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The randomly initialised DenseNet-121 stand-in, when this machine has it: a real-sized network
 * opened through a manifest like a site would write. Optional; skipped where the file is absent.
 */
class RealModelTest {
    static final Path DENSENET = Path.of("/work/shared/models/densenet121-1ch-random.onnx");

    @Test
    void densenetStandInOpensAndScoresABatch(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(DENSENET), "no DenseNet stand-in at " + DENSENET + "; skipped");
        Path manifestFile = dir.resolve("densenet.yaml");
        Files.writeString(manifestFile, """
                id: densenet121-1ch-random
                version: "0"
                file: %s
                input: {name: image, layout: NCHW, channels: 1, height: 224, width: 224}
                resize: letterbox
                normalization: {type: meanStd, mean: [0.449], std: [0.226]}
                output: {name: logit, activation: sigmoid, labels: [abnormal]}
                score: {label: abnormal}
                operatingPoints: [{name: default, threshold: 0.5}]
                priorityBands:
                  - {from: 0.0, to: 0.5, priority: ROUTINE}
                  - {from: 0.5, to: 1.0, priority: HIGH}
                clinicalUse: false
                """.formatted(DENSENET));
        ModelManifest manifest = ModelManifest.load(manifestFile);
        TensorBuilder tensors = new TensorBuilder(manifest);
        ScoreReader scores = new ScoreReader(manifest);
        float[] batch = new float[2 * tensors.imageTensorSize()];
        tensors.write(DemoModelTest.uniform(600, 500, 30), batch, 0);
        tensors.write(DemoModelTest.uniform(500, 600, 220), batch, tensors.imageTensorSize());
        try (OnnxModel model = OnnxModel.open(manifest, ExecutionProvider.AUTO, 0)) {
            assertTrue(List.of("cuda", "cpu").contains(model.provider()), model.provider());
            float[][] outputs = model.run(batch, 2);
            assertEquals(2, outputs.length);
            for (float[] output : outputs) {
                ModelScore score = scores.read(output);
                assertTrue(score.score() >= 0 && score.score() <= 1, "score " + score.score());
            }
        }
    }
}
