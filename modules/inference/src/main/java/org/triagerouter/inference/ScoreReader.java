package org.triagerouter.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.triagerouter.inference.ModelManifest.OperatingPoint;
import org.triagerouter.inference.ModelManifest.PriorityBand;

/**
 * Reads one image's raw model output the way its manifest says: activation, per-label probabilities,
 * the abnormality score, its priority band and the operating points it passes. Immutable and thread-safe.
 */
public final class ScoreReader {
    private final ModelManifest manifest;
    private final List<String> labels;
    private final int[] scoreLabelIndexes;

    public ScoreReader(ModelManifest manifest) {
        this.manifest = manifest;
        this.labels = manifest.output().labels();
        this.scoreLabelIndexes = manifest.score().labels().stream().mapToInt(labels::indexOf).toArray();
    }

    /** @param output one row of {@link OnnxModel#run}: the model's raw values, one per label */
    public ModelScore read(float[] output) throws InferenceException {
        if (output.length != labels.size()) {
            throw new InferenceException("model " + manifest.id() + " gave " + output.length + " values for one image, its manifest lists "
                    + labels.size() + " labels " + labels);
        }
        double[] probabilities = activate(output);
        Map<String, Double> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < probabilities.length; i++) {
            double p = probabilities[i];
            // NaN or out of range means a broken model or a wrong activation; it must not become ROUTINE.
            if (!(p >= 0 && p <= 1)) {
                throw new InferenceException("model " + manifest.id() + ": label '" + labels.get(i) + "' has probability " + p
                        + " (raw " + output[i] + ") outside [0, 1]; check output.activation in " + manifest.source());
            }
            byLabel.put(labels.get(i), p);
        }
        double score = 0;
        for (int index : scoreLabelIndexes) score = Math.max(score, probabilities[index]);
        return new ModelScore(score, priorityOf(score), positiveOperatingPoints(score), Collections.unmodifiableMap(byLabel));
    }

    private double[] activate(float[] output) {
        double[] p = new double[output.length];
        switch (manifest.output().activation()) {
            case SIGMOID -> {
                for (int i = 0; i < p.length; i++) p[i] = 1.0 / (1.0 + Math.exp(-output[i]));
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (float v : output) max = Math.max(max, v);   // subtracting the max keeps exp() finite
                double sum = 0;
                for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(output[i] - max);
                for (int i = 0; i < p.length; i++) p[i] /= sum;
            }
            case NONE -> {
                for (int i = 0; i < p.length; i++) p[i] = output[i];
            }
        }
        return p;
    }

    /** The manifest's bands cover [0, 1] without gaps or overlaps (checked on load), so exactly one holds. */
    TriagePriority priorityOf(double score) {
        for (PriorityBand band : manifest.priorityBands()) if (band.holds(score)) return band.priority();
        throw new IllegalStateException("no priority band of " + manifest.source() + " holds score " + score);
    }

    private List<String> positiveOperatingPoints(double score) {
        List<String> positive = new ArrayList<>();
        for (OperatingPoint point : manifest.operatingPoints()) if (point.passes(score)) positive.add(point.name());
        return positive;
    }
}
