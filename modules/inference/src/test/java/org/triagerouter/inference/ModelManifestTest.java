package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.triagerouter.inference.ModelManifest.Activation;
import org.triagerouter.inference.ModelManifest.MeanStd;
import org.triagerouter.inference.ModelManifest.PriorityBand;
import org.triagerouter.inference.ModelManifest.Range;
import org.triagerouter.inference.ModelManifest.ResizeMode;

/** Manifest loading: what a valid one yields, and that every mistake is reported with its file and field. */
class ModelManifestTest {
    static final Path FILE = Path.of("/models/chest/model.yaml");

    /** A multi-label manifest; the tests below break it one edit at a time. */
    static final String VALID = """
            id: chest-findings
            version: 3
            file: chest.onnx
            input: {name: image, channels: 3, height: 224, width: 224}
            resize: letterbox
            normalization: {type: meanStd, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}
            output:
              name: logits
              activation: sigmoid
              labels: [Effusion, Pneumothorax, Nodule, "No Finding"]
            score:
              maxOf: [Effusion, Pneumothorax, Nodule]
            operatingPoints:
              - {name: sensitive, threshold: 0.3, sensitivity: 0.95, specificity: 0.6}
              - {name: specific, threshold: 0.7, sensitivity: 0.8, specificity: 0.9}
            priorityBands:
              - {from: 0.0, to: 0.5, priority: ROUTINE}
              - {from: 0.5, to: 0.8, priority: HIGH}
              - {from: 0.8, to: 1.0, priority: URGENT}
            clinicalUse: true
            """;

    static String edit(String from, String to) {
        assertTrue(VALID.contains(from), "fixture lacks: " + from);
        return VALID.replace(from, to);
    }

    @Test
    void validManifestYieldsEveryField() throws Exception {
        ModelManifest m = ModelManifest.parse(VALID, FILE);
        assertEquals("chest-findings", m.id());
        assertEquals("3", m.version());
        assertEquals(Path.of("/models/chest/chest.onnx"), m.modelFile());
        assertEquals(new ModelManifest.Input("image", "NCHW", 3, 224, 224), m.input());
        assertEquals(ResizeMode.LETTERBOX, m.resize());
        assertEquals(new MeanStd(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225)), m.normalization());
        assertEquals(Activation.SIGMOID, m.output().activation());
        assertEquals(List.of("Effusion", "Pneumothorax", "Nodule"), m.score().labels());
        assertEquals(2, m.operatingPoints().size());
        assertEquals(0.9, m.operatingPoints().get(1).specificity());
        assertEquals(new PriorityBand(0.8, 1.0, TriagePriority.URGENT), m.priorityBands().get(2));
        assertTrue(m.clinicalUse());
        assertFalse(m.demo());
        assertEquals(3 * 224 * 224, m.imageTensorSize());
    }

    @Test
    void jsonParsesAsWell() throws Exception {
        String json = """
                {"id": "j", "version": "2024.1", "file": "m.onnx",
                 "input": {"name": "x", "layout": "NCHW", "channels": 1, "height": 32, "width": 48},
                 "resize": "center-crop", "normalization": {"type": "range", "min": -1, "max": 1},
                 "output": {"name": "y", "activation": "softmax", "labels": ["normal", "abnormal"]},
                 "score": {"label": "abnormal"},
                 "operatingPoints": [{"name": "op", "threshold": 0.5}],
                 "priorityBands": [{"from": 0, "to": 1, "priority": "HIGH"}],
                 "clinicalUse": false}
                """;
        ModelManifest m = ModelManifest.parse(json, Path.of("/m/j.json"));
        assertEquals("2024.1", m.version());
        assertEquals(new Range(-1, 1), m.normalization());
        assertEquals(ResizeMode.CENTER_CROP, m.resize());
        assertEquals(List.of("abnormal"), m.score().labels());
        assertEquals(48, m.input().width());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key           | clinicalUse: true           | clinicalUse: true\\nthreshold: 0.5        | threshold        | unknown key
            unknown nested key              | height: 224, width: 224}     | height: 224, width: 224, depth: 1}       | input.depth      | unknown key
            missing field                   | resize: letterbox\\n         | ''                                       | resize           | missing
            missing nested field            | '  name: logits\\n'          | ''                                       | output.name      | missing
            channels not 1 or 3             | channels: 3                  | channels: 2                              | input.channels   | must be 1 or 3
            layout other than NCHW          | {name: image,                | {name: image, layout: NHWC,              | input.layout     | only NCHW
            resize mode unknown             | resize: letterbox            | resize: squash                           | resize           | center-crop
            version given as a fraction     | version: 3                   | version: 1.10                            | version          | quote it
            score label not among labels    | 'maxOf: [Effusion, Pneumothorax, Nodule]' | 'maxOf: [Effusion, Pneumonia]' | score.maxOf[1] | 'Pneumonia' is not in output.labels
            single score label not in labels| 'maxOf: [Effusion, Pneumothorax, Nodule]' | 'label: abnormal'       | score.label      | 'abnormal' is not in output.labels
            both label and maxOf            | 'maxOf: [Effusion, Pneumothorax, Nodule]' | 'label: Nodule\\n  maxOf: [Nodule]' | score.label | exactly one
            mean per channel                | 'mean: [0.485, 0.456, 0.406]' | 'mean: [0.449]'                         | normalization.mean | one value per input channel (3)
            zero std                        | 'std: [0.229, 0.224, 0.225]'  | 'std: [0.229, 0, 0.225]'                | normalization.std[1] | greater than 0
            unknown normalization type      | type: meanStd                 | type: zscore                            | normalization.type | 'range' or 'meanStd'
            unknown activation              | activation: sigmoid           | activation: relu                        | output.activation | sigmoid
            duplicate label                 | '"No Finding"]'               | 'Nodule]'                               | output.labels[3] | listed twice
            bands overlap                   | '{from: 0.5, to: 0.8, priority: HIGH}' | '{from: 0.4, to: 0.8, priority: HIGH}' | priorityBands | overlaps band [0]
            bands leave a gap               | '{from: 0.5, to: 0.8, priority: HIGH}' | '{from: 0.6, to: 0.8, priority: HIGH}' | priorityBands | no band covers scores from 0.5 to 0.6
            bands stop short of 1           | '{from: 0.8, to: 1.0, priority: URGENT}' | '{from: 0.8, to: 0.95, priority: URGENT}' | priorityBands | from 0.95 to 1.0
            band outside 0..1               | '{from: 0.8, to: 1.0, priority: URGENT}' | '{from: 0.8, to: 1.5, priority: URGENT}' | priorityBands[2].to | between 0 and 1
            band priority unknown           | 'priority: URGENT}'           | 'priority: STAT}'                       | priorityBands[2].priority | URGENT, HIGH, ROUTINE
            clinical point without figures  | ', sensitivity: 0.8, specificity: 0.9}' | '}'                           | operatingPoints[1].sensitivity | required when clinicalUse is true
            threshold above 1               | 'threshold: 0.7'              | 'threshold: 70'                         | operatingPoints[1].threshold | between 0 and 1
            operating point names repeat    | 'name: specific'              | 'name: sensitive'                       | operatingPoints[1].name | used by another
            demo cannot be clinical         | clinicalUse: true             | 'clinicalUse: true\\ndemo: true'        | clinicalUse      | demo model
            clinicalUse must be boolean     | clinicalUse: true             | clinicalUse: maybe                      | clinicalUse      | true or false
            key given twice                 | resize: letterbox             | 'resize: letterbox\\nresize: stretch'   | (document)       | duplicate key
            """)
    void mistakesNameTheFileAndTheField(String what, String from, String to, String field, String problem) {
        String text = edit(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ModelManifest.parse(text, FILE), what);
        assertEquals(field, e.field, e.getMessage());
        assertTrue(e.getMessage().startsWith(FILE + ": " + field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void softmaxOverOneLabelIsRefused() {
        String text = ModelManifestTest.VALID.replace("activation: sigmoid", "activation: softmax")
                .replace("labels: [Effusion, Pneumothorax, Nodule, \"No Finding\"]", "labels: [Effusion]")
                .replace("maxOf: [Effusion, Pneumothorax, Nodule]", "label: Effusion");
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ModelManifest.parse(text, FILE));
        assertEquals("output.activation", e.field);
    }

    @Test
    void notYamlAtAllIsReportedAsTheDocument() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ModelManifest.parse("id: [unclosed", FILE));
        assertEquals("(document)", e.field);
        e = assertThrows(InvalidManifestException.class, () -> ModelManifest.parse("- just\n- a list\n", FILE));
        assertTrue(e.getMessage().contains("must be a mapping"), e.getMessage());
    }

    @Test
    void loadReadsTheFileAndResolvesTheModelBesideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chest.yaml");
        Files.writeString(file, VALID);
        assertEquals(dir.resolve("chest.onnx").toAbsolutePath(), ModelManifest.load(file).modelFile());
        Files.writeString(file, edit("channels: 3", "channels: three"));
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ModelManifest.load(file));
        assertEquals(file, e.file);
        assertTrue(e.getMessage().contains("input.channels"), e.getMessage());
    }

    /** The example shipped in config/ must stay loadable, or it teaches the wrong thing. */
    @Test
    void shippedExampleManifestIsValid() throws Exception {
        Path example = Path.of(System.getProperty("basedir", "."), "../../config/models/densenet121-1ch-224.example.yaml");
        assumeTrue(Files.exists(example), "example manifest not found at " + example.toAbsolutePath());
        ModelManifest m = ModelManifest.load(example);
        assertFalse(m.clinicalUse());
        assertEquals(1, m.input().channels());
        assertEquals(224, m.input().height());
        assertTrue(m.output().labels().size() > 1);
        assertInstanceOf(MeanStd.class, m.normalization());
    }
}
