package org.triagerouter.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.triagerouter.dicom.pixels.ModelGeometry;

/**
 * What a model expects and how to read what it says: the YAML (or JSON) file that sits beside the
 * {@code .onnx} file. Loaded and fully validated by {@link #load(Path)}; every record here is already
 * checked, so the stages that use it trust it.
 *
 * @param source     the manifest file itself, for error messages
 * @param modelFile  the {@code .onnx} file, resolved against the manifest's folder
 * @param clinicalUse false for research and demo models: results must then be labelled "not for clinical use"
 * @param demo       true only for the generated {@link DemoModel}
 */
public record ModelManifest(
        Path source,
        String id,
        String version,
        Path modelFile,
        Input input,
        ResizeMode resize,
        Normalization normalization,
        Output output,
        ScoreRule score,
        List<OperatingPoint> operatingPoints,
        List<PriorityBand> priorityBands,
        boolean clinicalUse,
        boolean demo) {

    public ModelManifest {
        operatingPoints = List.copyOf(operatingPoints);
        priorityBands = List.copyOf(priorityBands);
    }

    /** Reads and validates a manifest; {@link InvalidManifestException} names the file and the field. */
    public static ModelManifest load(Path file) throws IOException {
        return ManifestReader.read(file);
    }

    /** Validates manifest text as if it had been read from {@code file} (which need not exist). */
    public static ModelManifest parse(String text, Path file) throws InvalidManifestException {
        return ManifestReader.parse(text, file);
    }

    /** The floats one image occupies in the input tensor: channels × height × width. */
    public int imageTensorSize() {
        return input.channels() * input.height() * input.width();
    }

    /** The picture the model takes (its stored model-ready inputs are keyed by it); channels repeat that one plane. */
    public ModelGeometry geometry() {
        return new ModelGeometry(input.width(), input.height(), switch (resize) {
            case STRETCH -> ModelGeometry.Fit.STRETCH;
            case LETTERBOX -> ModelGeometry.Fit.LETTERBOX;
            case CENTER_CROP -> ModelGeometry.Fit.CENTER_CROP;
        });
    }

    /** The model's image input; only NCHW float tensors are supported. */
    public record Input(String name, String layout, int channels, int height, int width) {}

    /** How an image of another shape is fitted to the model's height × width. */
    public enum ResizeMode {
        /** Scale each axis independently; the aspect ratio changes. */
        STRETCH("stretch"),
        /** Keep the aspect ratio, fit inside, pad the rest with black (pixel 0). */
        LETTERBOX("letterbox"),
        /** Keep the aspect ratio, cover the whole input, cut the overhang equally on both sides. */
        CENTER_CROP("center-crop");

        public final String yamlName;

        ResizeMode(String yamlName) { this.yamlName = yamlName; }
    }

    /** Maps an 8-bit pixel value v (0..255, fractional after interpolation) to the model's input value. */
    public sealed interface Normalization permits Range, MeanStd {
        /** Factor of the affine map {@code v * scale + offset} for a channel. */
        double scale(int channel);

        /** Constant of the affine map {@code v * scale + offset} for a channel. */
        double offset(int channel);
    }

    /** 0..255 mapped linearly onto [min, max]. */
    public record Range(double min, double max) implements Normalization {
        @Override public double scale(int channel) { return (max - min) / 255.0; }
        @Override public double offset(int channel) { return min; }
    }

    /** (v / 255 - mean[c]) / std[c], the torchvision convention. */
    public record MeanStd(List<Double> mean, List<Double> std) implements Normalization {
        public MeanStd {
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }

        @Override public double scale(int channel) { return 1.0 / (255.0 * std.get(channel)); }
        @Override public double offset(int channel) { return -mean.get(channel) / std.get(channel); }
    }

    /** What the model's output holds, per image: one value per label, before {@code activation}. */
    public record Output(String name, Activation activation, List<String> labels) {
        public Output {
            labels = List.copyOf(labels);
        }
    }

    /** Turns the model's raw output values into probabilities. */
    public enum Activation {
        /** Independent probability per label (multi-label models). */
        SIGMOID("sigmoid"),
        /** Probabilities over mutually exclusive labels that sum to 1. */
        SOFTMAX("softmax"),
        /** The model already outputs probabilities. */
        NONE("none");

        public final String yamlName;

        Activation(String yamlName) { this.yamlName = yamlName; }
    }

    /**
     * The abnormality score: the highest probability among {@code labels}. A manifest's {@code label: X}
     * is a list of one; {@code maxOf: [X, Y]} lets a multi-label model be triaged on several findings.
     */
    public record ScoreRule(List<String> labels) {
        public ScoreRule {
            labels = List.copyOf(labels);
        }
    }

    /**
     * A named threshold on the score, as validated for the model. Sensitivity and specificity are the
     * validation study's figures, reported alongside results; null when unknown (allowed only when
     * {@code clinicalUse} is false).
     */
    public record OperatingPoint(String name, double threshold, Double sensitivity, Double specificity) {
        public boolean passes(double score) { return score >= threshold; }
    }

    /** Scores in [from, to) get this priority; the band that ends at 1.0 also holds 1.0 itself. */
    public record PriorityBand(double from, double to, TriagePriority priority) {
        public boolean holds(double score) {
            return score >= from && (score < to || (to == 1.0 && score == 1.0));
        }
    }
}
