package org.triagerouter.analysis.evaluation;

import java.util.List;

/**
 * Counts and rates when studies scoring at or above {@code threshold} are called abnormal (the manifest's
 * rule). A rate whose denominator is zero is NaN (reports print {@code n/a}).
 */
public record ConfusionAtThreshold(String name, double threshold, int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

    public static ConfusionAtThreshold of(NamedThreshold threshold, List<LabelledScore> scores) {
        return of(threshold.name(), threshold.threshold(), scores);
    }

    public static ConfusionAtThreshold of(String name, double threshold, List<LabelledScore> scores) {
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (LabelledScore s : scores) {
            boolean calledAbnormal = s.score() >= threshold;
            if (s.abnormal()) {
                if (calledAbnormal) tp++; else fn++;
            } else {
                if (calledAbnormal) fp++; else tn++;
            }
        }
        return new ConfusionAtThreshold(name, threshold, tp, fp, tn, fn);
    }

    /** True-positive rate: abnormal studies called abnormal. */
    public double sensitivity() {
        return ratio(truePositives, truePositives + falseNegatives);
    }

    /** True-negative rate: normal studies called normal. */
    public double specificity() {
        return ratio(trueNegatives, trueNegatives + falsePositives);
    }

    /** Positive predictive value: studies called abnormal that are. */
    public double ppv() {
        return ratio(truePositives, truePositives + falsePositives);
    }

    /** Negative predictive value: studies called normal that are. */
    public double npv() {
        return ratio(trueNegatives, trueNegatives + falseNegatives);
    }

    private static double ratio(int numerator, int denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }
}
