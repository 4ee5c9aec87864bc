package org.triagerouter.analysis.evaluation;

import java.util.List;

/** Everything {@code evaluate} reports about a model's scores on studies with ground truth. */
public record Evaluation(
        EvaluationSettings settings,
        RocCurve roc,
        BootstrapInterval aucInterval,
        List<ConfusionAtThreshold> operatingPoints,
        List<ThresholdForSensitivity> thresholdsForSensitivity,
        CalibrationTable calibration) {

    public Evaluation {
        operatingPoints = List.copyOf(operatingPoints);
        thresholdsForSensitivity = List.copyOf(thresholdsForSensitivity);
    }

    /** @throws IllegalArgumentException unless there is at least one abnormal and one normal study, or a score is outside [0, 1] */
    public static Evaluation of(List<LabelledScore> scores, EvaluationSettings settings) {
        RocCurve roc = RocCurve.of(scores);
        return new Evaluation(settings, roc,
                BootstrapInterval.forAuc(scores, settings.bootstrapResamples(), settings.confidenceLevel(), settings.seed()),
                settings.operatingPoints().stream().map(t -> ConfusionAtThreshold.of(t, scores)).toList(),
                settings.targetSensitivities().stream()
                        .map(target -> ThresholdForSensitivity.of(scores, target, ThresholdForSensitivity.REPORTED_DECIMALS)).toList(),
                CalibrationTable.of(scores, settings.calibrationBins()));
    }
}
