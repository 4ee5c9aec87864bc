package org.triagerouter.analysis.evaluation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * The highest threshold that still calls at least {@code targetSensitivity} of the abnormal studies
 * abnormal: among thresholds meeting the target, the one with the best specificity. {@code achieved} gives
 * what it does on this data.
 */
public record ThresholdForSensitivity(double targetSensitivity, ConfusionAtThreshold achieved) {

    /** Decimals of the thresholds {@code evaluate} reports: enough to tell scores apart, few enough to copy into a manifest. */
    public static final int REPORTED_DECIMALS = 4;

    public double threshold() {
        return achieved.threshold();
    }

    /** The exact threshold: always one of the abnormal studies' scores. */
    public static ThresholdForSensitivity of(List<LabelledScore> scores, double targetSensitivity) {
        return of(scores, targetSensitivity, -1);
    }

    /**
     * The highest threshold with at most {@code decimals} decimal places: the exact one rounded down, which
     * calls at least the same studies abnormal and so still reaches the target (rounding to nearest could
     * miss it). A negative {@code decimals} means exact.
     *
     * @throws IllegalArgumentException when the target is outside (0, 1] or there is no abnormal study
     */
    public static ThresholdForSensitivity of(List<LabelledScore> scores, double targetSensitivity, int decimals) {
        if (!(targetSensitivity > 0 && targetSensitivity <= 1)) {
            throw new IllegalArgumentException("target sensitivity must be within (0, 1], not " + targetSensitivity);
        }
        double[] abnormalScores = scores.stream().filter(LabelledScore::abnormal).mapToDouble(LabelledScore::score).sorted().toArray();
        if (abnormalScores.length == 0) throw new IllegalArgumentException("no abnormal study: a sensitivity cannot be reached");
        // The k highest abnormal scores must be called abnormal; the small epsilon keeps 0.6 × 5 from rounding up to 4.
        int needed = (int) Math.ceil(targetSensitivity * abnormalScores.length - 1e-9);
        double threshold = abnormalScores[abnormalScores.length - needed];
        if (decimals >= 0) threshold = BigDecimal.valueOf(threshold).setScale(decimals, RoundingMode.FLOOR).doubleValue();
        String name = String.format(Locale.ROOT, "sensitivity >= %.2f", targetSensitivity);
        return new ThresholdForSensitivity(targetSensitivity, ConfusionAtThreshold.of(name, threshold, scores));
    }
}
