package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** From raw model output to score, priority and operating points. */
class ScoreReaderTest {
    static ScoreReader reader(String activation, String labels, String score) throws Exception {
        return new ScoreReader(ModelManifest.parse("""
                id: s
                version: 1
                file: s.onnx
                input: {name: image, channels: 1, height: 8, width: 8}
                resize: stretch
                normalization: {type: range, min: 0, max: 1}
                output: {name: out, activation: %s, labels: %s}
                score: %s
                operatingPoints:
                  - {name: screening, threshold: 0.3}
                  - {name: confirm, threshold: 0.8}
                priorityBands:
                  - {from: 0.8, to: 1.0, priority: URGENT}
                  - {from: 0.0, to: 0.5, priority: ROUTINE}
                  - {from: 0.5, to: 0.8, priority: HIGH}
                clinicalUse: false
                """.formatted(activation, labels, score), Path.of("/s/s.yaml")));
    }

    private static float logit(double p) { return (float) Math.log(p / (1 - p)); }

    @Test
    void maxOfTakesTheHighestListedLabelAndIgnoresTheOthers() throws Exception {
        ScoreReader r = reader("sigmoid", "[Effusion, Pneumothorax, Nodule, NoFinding]", "{maxOf: [Effusion, Pneumothorax]}");
        ModelScore s = r.read(new float[] {logit(0.2), logit(0.6), logit(0.9), logit(0.99)});
        assertEquals(0.6, s.score(), 1e-6, "Nodule and NoFinding are higher but not part of the score");
        assertEquals(TriagePriority.HIGH, s.priority());
        assertEquals(List.of("screening"), s.positiveOperatingPoints());
        assertEquals(List.of("Effusion", "Pneumothorax", "Nodule", "NoFinding"), List.copyOf(s.labelProbabilities().keySet()));
        assertEquals(0.9, s.labelProbabilities().get("Nodule"), 1e-6);
    }

    @Test
    void singleLabelScoreIsThatLabelsProbability() throws Exception {
        ScoreReader r = reader("sigmoid", "[a, b]", "{label: b}");
        assertEquals(0.25, r.read(new float[] {logit(0.95), logit(0.25)}).score(), 1e-6);
    }

    @Test
    void softmaxGivesProbabilitiesThatSumToOne() throws Exception {
        ScoreReader r = reader("softmax", "[normal, abnormal]", "{label: abnormal}");
        ModelScore s = r.read(new float[] {2f, 2f + (float) Math.log(3)});
        assertEquals(0.75, s.score(), 1e-6);
        assertEquals(1.0, s.labelProbabilities().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertEquals(0.5, r.read(new float[] {1000f, 1000f}).score(), 1e-12, "large logits must not overflow to NaN");
    }

    @ParameterizedTest(name = "score {0} is {1}")
    @CsvSource({
            "0.0,    ROUTINE, ''",
            "0.2999, ROUTINE, ''",
            "0.3,    ROUTINE, screening",
            "0.4999, ROUTINE, screening",
            "0.5,    HIGH,    screening",
            "0.7999, HIGH,    screening",
            "0.8,    URGENT,  screening confirm",
            "1.0,    URGENT,  screening confirm"})
    void bandsAreHalfOpenAndTheLastHoldsOne(double score, TriagePriority priority, String positive) throws Exception {
        ScoreReader r = reader("none", "[abnormal]", "{label: abnormal}");
        ModelScore s = r.read(new float[] {(float) score});
        assertEquals(priority, s.priority());
        assertEquals(positive.isEmpty() ? List.of() : List.of(positive.split(" ")), s.positiveOperatingPoints());
    }

    @Test
    void brokenOutputFailsInsteadOfBecomingRoutine() throws Exception {
        ScoreReader r = reader("none", "[abnormal, other]", "{label: abnormal}");
        InferenceException nan = assertThrows(InferenceException.class, () -> r.read(new float[] {Float.NaN, 0.1f}));
        assertTrue(nan.getMessage().contains("'abnormal'") && nan.getMessage().contains("NaN"), nan.getMessage());
        InferenceException above = assertThrows(InferenceException.class, () -> r.read(new float[] {0.2f, 3.5f}));
        assertTrue(above.getMessage().contains("output.activation"), above.getMessage());
        InferenceException size = assertThrows(InferenceException.class, () -> r.read(new float[] {0.2f}));
        assertTrue(size.getMessage().contains("1 values") && size.getMessage().contains("2 labels"), size.getMessage());
    }
}
