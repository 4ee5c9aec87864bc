package org.triagerouter.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.triagerouter.inference.ModelManifest.Activation;
import org.triagerouter.inference.ModelManifest.Input;
import org.triagerouter.inference.ModelManifest.MeanStd;
import org.triagerouter.inference.ModelManifest.Normalization;
import org.triagerouter.inference.ModelManifest.OperatingPoint;
import org.triagerouter.inference.ModelManifest.Output;
import org.triagerouter.inference.ModelManifest.PriorityBand;
import org.triagerouter.inference.ModelManifest.Range;
import org.triagerouter.inference.ModelManifest.ResizeMode;
import org.triagerouter.inference.ModelManifest.ScoreRule;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Parses a manifest and checks every field, and the fields against each other, before anyone uses it. */
final class ManifestReader {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_SIDE = 8192;

    private final Path file;

    private ManifestReader(Path file) { this.file = file; }

    static ModelManifest read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    static ModelManifest parse(String text, Path file) throws InvalidManifestException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);   // a key given twice is a mistake, not "last one wins"
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new InvalidManifestException(file, "(document)", "not valid YAML or JSON: " + e.getMessage().strip().replace('\n', ' '));
        }
        return new ManifestReader(file).manifest(YamlSection.root(file, document));
    }

    private ModelManifest manifest(YamlSection root) throws InvalidManifestException {
        root.allowOnly("id", "version", "file", "input", "resize", "normalization", "output", "score",
                "operatingPoints", "priorityBands", "clinicalUse", "demo");
        String id = root.string("id");
        if (!ID.matcher(id).matches()) {
            throw root.error("id", "'" + id + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String version = version(root);
        Path modelFile = modelFile(root);
        Input input = input(root.section("input"));
        ResizeMode resize = resize(root);
        Normalization normalization = normalization(root.section("normalization"), input.channels());
        Output output = output(root.section("output"));
        ScoreRule score = score(root.section("score"), output);
        boolean clinicalUse = root.bool("clinicalUse");
        List<OperatingPoint> operatingPoints = operatingPoints(root, clinicalUse);
        List<PriorityBand> priorityBands = priorityBands(root);
        boolean demo = root.bool("demo", false);
        if (demo && clinicalUse) throw root.error("clinicalUse", "a demo model cannot be for clinical use");
        return new ModelManifest(file, id, version, modelFile, input, resize, normalization, output, score,
                operatingPoints, priorityBands, clinicalUse, demo);
    }

    private static String version(YamlSection root) throws InvalidManifestException {
        // 1.10 would arrive as the number 1.1: only text or whole numbers are unambiguous.
        return root.textOrWholeNumber("version");
    }

    private Path modelFile(YamlSection root) throws InvalidManifestException {
        String name = root.string("file");
        Path folder = file.toAbsolutePath().getParent();
        try {
            return folder.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw root.error("file", "'" + name + "' is not a valid path: " + e.getMessage());
        }
    }

    private static Input input(YamlSection section) throws InvalidManifestException {
        section.allowOnly("name", "layout", "channels", "height", "width");
        String name = section.string("name");
        String layout = section.has("layout") ? section.string("layout") : "NCHW";
        if (!layout.equals("NCHW")) throw section.error("layout", "only NCHW is supported, got '" + layout + "'");
        int channels = section.integer("channels");
        if (channels != 1 && channels != 3) throw section.error("channels", "must be 1 or 3, got " + channels);
        return new Input(name, layout, channels, side(section, "height"), side(section, "width"));
    }

    private static int side(YamlSection section, String key) throws InvalidManifestException {
        int value = section.integer(key);
        if (value < 1 || value > MAX_SIDE) throw section.error(key, "must be between 1 and " + MAX_SIDE + ", got " + value);
        return value;
    }

    private static ResizeMode resize(YamlSection root) throws InvalidManifestException {
        String value = root.string("resize");
        for (ResizeMode mode : ResizeMode.values()) if (mode.yamlName.equals(value)) return mode;
        throw root.error("resize", "must be one of " + Arrays.stream(ResizeMode.values()).map(m -> m.yamlName).toList() + ", got '" + value + "'");
    }

    private static Normalization normalization(YamlSection section, int channels) throws InvalidManifestException {
        String type = section.string("type");
        switch (type) {
            case "range" -> {
                section.allowOnly("type", "min", "max");
                double min = section.number("min"), max = section.number("max");
                if (!(min < max)) throw section.error("max", "must be greater than min (" + min + "), got " + max);
                return new Range(min, max);
            }
            case "meanStd" -> {
                section.allowOnly("type", "mean", "std");
                List<Double> mean = section.numbers("mean"), std = section.numbers("std");
                if (mean.size() != channels) throw section.error("mean", "needs one value per input channel (" + channels + "), got " + mean.size());
                if (std.size() != channels) throw section.error("std", "needs one value per input channel (" + channels + "), got " + std.size());
                for (int c = 0; c < channels; c++) {
                    if (!(std.get(c) > 0)) throw section.error("std[" + c + "]", "must be greater than 0, got " + std.get(c));
                }
                return new MeanStd(mean, std);
            }
            default -> throw section.error("type", "must be 'range' or 'meanStd', got '" + type + "'");
        }
    }

    private static Output output(YamlSection section) throws InvalidManifestException {
        section.allowOnly("name", "activation", "labels");
        String name = section.string("name");
        String activationName = section.string("activation");
        Activation activation = null;
        for (Activation a : Activation.values()) if (a.yamlName.equals(activationName)) activation = a;
        if (activation == null) {
            throw section.error("activation", "must be one of " + Arrays.stream(Activation.values()).map(a -> a.yamlName).toList()
                    + ", got '" + activationName + "'");
        }
        List<String> labels = section.strings("labels");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            if (!seen.add(labels.get(i))) throw section.error("labels[" + i + "]", "'" + labels.get(i) + "' is listed twice");
        }
        if (activation == Activation.SOFTMAX && labels.size() == 1) {
            throw section.error("activation", "softmax over a single label is always 1.0; use sigmoid for a single-logit model");
        }
        return new Output(name, activation, labels);
    }

    private static ScoreRule score(YamlSection section, Output output) throws InvalidManifestException {
        section.allowOnly("label", "maxOf");
        if (section.has("label") == section.has("maxOf")) {
            throw section.error("label", "give exactly one of 'label: X' or 'maxOf: [X, Y, ...]'");
        }
        String key = section.has("label") ? "label" : "maxOf";
        List<String> labels = key.equals("label") ? List.of(section.string("label")) : section.strings("maxOf");
        for (int i = 0; i < labels.size(); i++) {
            if (!output.labels().contains(labels.get(i))) {
                throw section.error(key.equals("label") ? key : key + "[" + i + "]",
                        "label '" + labels.get(i) + "' is not in output.labels " + output.labels());
            }
        }
        return new ScoreRule(labels.stream().distinct().toList());
    }

    private static List<OperatingPoint> operatingPoints(YamlSection root, boolean clinicalUse) throws InvalidManifestException {
        List<OperatingPoint> points = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlSection point : root.sections("operatingPoints")) {
            point.allowOnly("name", "threshold", "sensitivity", "specificity");
            String name = point.string("name");
            if (!names.add(name)) throw point.error("name", "'" + name + "' is used by another operating point");
            double threshold = probability(point, "threshold");
            Double sensitivity = point.has("sensitivity") ? probability(point, "sensitivity") : null;
            Double specificity = point.has("specificity") ? probability(point, "specificity") : null;
            // A clinical model's thresholds mean nothing without the figures they were chosen for.
            if (clinicalUse && sensitivity == null) throw point.error("sensitivity", "missing (required when clinicalUse is true)");
            if (clinicalUse && specificity == null) throw point.error("specificity", "missing (required when clinicalUse is true)");
            points.add(new OperatingPoint(name, threshold, sensitivity, specificity));
        }
        return points;
    }

    private static double probability(YamlSection section, String key) throws InvalidManifestException {
        double value = section.number(key);
        if (value < 0 || value > 1) throw section.error(key, "must be between 0 and 1, got " + value);
        return value;
    }

    private static List<PriorityBand> priorityBands(YamlSection root) throws InvalidManifestException {
        List<YamlSection> sections = root.sections("priorityBands");
        List<IndexedBand> bands = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            YamlSection band = sections.get(i);
            band.allowOnly("from", "to", "priority");
            double from = probability(band, "from"), to = probability(band, "to");
            if (!(from < to)) throw band.error("to", "must be greater than from (" + from + "), got " + to);
            String priority = band.string("priority");
            TriagePriority value;
            try {
                value = TriagePriority.valueOf(priority);
            } catch (IllegalArgumentException e) {
                throw band.error("priority", "must be one of " + Arrays.toString(TriagePriority.values()) + ", got '" + priority + "'");
            }
            bands.add(new IndexedBand(i, new PriorityBand(from, to, value)));
        }
        bands.sort(Comparator.comparingDouble(b -> b.band.from()));
        // Every score in [0, 1] must fall in exactly one band.
        double covered = 0;
        IndexedBand previous = null;
        for (IndexedBand b : bands) {
            if (b.band.from() > covered) {
                throw root.error("priorityBands", "no band covers scores from " + covered + " to " + b.band.from() + " "
                        + describe(bands));
            }
            if (b.band.from() < covered) {
                throw root.error("priorityBands", "band [" + b.index + "] (" + b.band.from() + " to " + b.band.to() + ") overlaps band ["
                        + previous.index + "] (" + previous.band.from() + " to " + previous.band.to() + ")");
            }
            covered = b.band.to();
            previous = b;
        }
        if (covered < 1.0) throw root.error("priorityBands", "no band covers scores from " + covered + " to 1.0 " + describe(bands));
        return bands.stream().map(b -> b.band).toList();
    }

    private static String describe(List<IndexedBand> bands) {
        return bands.stream().map(b -> b.band.from() + ".." + b.band.to())
                .collect(Collectors.joining(", ", "(bands: ", ")"));
    }

    private record IndexedBand(int index, PriorityBand band) {}
}
