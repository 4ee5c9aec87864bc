package org.triagerouter.analysis.simulation;

import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * Turnaround times of one group of studies, in seconds. Median and 95th percentile use Commons Math's
 * {@link EstimationType#R_7}: linear interpolation between the two nearest order statistics at
 * position 1 + p·(n − 1), the definition of NumPy's and R's default and of Excel's PERCENTILE.INC, so
 * the figures can be checked in any of them. Every value is NaN when there are no studies.
 */
public record TurnaroundStatistics(int count, double meanSeconds, double medianSeconds, double p95Seconds, double maxSeconds) {

    public static TurnaroundStatistics of(double[] turnaroundSeconds) {
        if (turnaroundSeconds.length == 0) return new TurnaroundStatistics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        Percentile percentile = new Percentile().withEstimationType(EstimationType.R_7);
        percentile.setData(turnaroundSeconds); // one copy, partially sorted once for both percentiles
        return new TurnaroundStatistics(turnaroundSeconds.length, StatUtils.mean(turnaroundSeconds),
                percentile.evaluate(50), percentile.evaluate(95), StatUtils.max(turnaroundSeconds));
    }

    /** Change from {@code baseline} in percent of the baseline, for mean, median and p95; NaN where the baseline is 0 or undefined. */
    public PercentChange percentChangeFrom(TurnaroundStatistics baseline) {
        return new PercentChange(percent(meanSeconds, baseline.meanSeconds), percent(medianSeconds, baseline.medianSeconds),
                percent(p95Seconds, baseline.p95Seconds));
    }

    /** Relative changes in percent: negative means faster than the baseline. */
    public record PercentChange(double mean, double median, double p95) {}

    private static double percent(double value, double baseline) {
        return baseline == 0 ? Double.NaN : 100 * (value - baseline) / baseline;
    }
}
