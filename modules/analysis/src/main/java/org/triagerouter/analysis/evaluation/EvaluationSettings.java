package org.triagerouter.analysis.evaluation;

import java.util.List;

/**
 * What to compute besides the ROC curve.
 *
 * @param operatingPoints      thresholds to report sensitivity, specificity, PPV and NPV at (the manifest's)
 * @param targetSensitivities  sensitivities to find the best threshold for, each in (0, 1]
 * @param bootstrapResamples   resamples for the AUC interval
 * @param seed                 seed of the bootstrap, so a report can be reproduced
 */
public record EvaluationSettings(List<NamedThreshold> operatingPoints, List<Double> targetSensitivities,
                                 int bootstrapResamples, double confidenceLevel, long seed, int calibrationBins) {

    public EvaluationSettings {
        operatingPoints = List.copyOf(operatingPoints);
        targetSensitivities = List.copyOf(targetSensitivities);
    }

    /** 2000 resamples, 95% interval, seed 1, ten calibration bins, target sensitivities 0.90, 0.95 and 0.98. */
    public static EvaluationSettings defaults(List<NamedThreshold> operatingPoints) {
        return new EvaluationSettings(operatingPoints, List.of(0.90, 0.95, 0.98), BootstrapInterval.DEFAULT_RESAMPLES, 0.95, 1,
                CalibrationTable.DEFAULT_BINS);
    }
}
