package org.triagerouter.app.bench.soak;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * A least-squares line through a series sampled over time, with a 95 % confidence interval for its slope that
 * allows for autocorrelated residuals (samples 10 s apart are not independent: a sawtooth from a retention job
 * that fires every minute, a garbage collector's cycle). The effective sample size is n(1 − r₁)/(1 + r₁), with
 * r₁ the lag-1 autocorrelation of the residuals (Santer et al., J. Geophys. Res. 105, 2000), and the slope's
 * standard error and the Student t quantile are taken with it.
 *
 * @param n samples fitted
 * @param mean the series' mean over them
 * @param slopePerHour the fitted slope, units per hour
 * @param lowPerHour lower end of the slope's 95 % interval (negative infinity when too few effective samples)
 * @param highPerHour upper end (positive infinity likewise)
 * @param effectiveN samples the residuals' autocorrelation leaves
 */
public record Trend(int n, double mean, double slopePerHour, double lowPerHour, double highPerHour, double effectiveN) {

    /** Fits {@code values} against {@code hours}; at least three samples. */
    public static Trend fit(double[] hours, double[] values) {
        int n = hours.length;
        if (n != values.length || n < 3) throw new IllegalArgumentException("need at least 3 paired samples, got " + n);
        double tMean = 0, yMean = 0;
        for (int i = 0; i < n; i++) {
            tMean += hours[i];
            yMean += values[i];
        }
        tMean /= n;
        yMean /= n;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (hours[i] - tMean) * (hours[i] - tMean);
            sxy += (hours[i] - tMean) * (values[i] - yMean);
        }
        if (sxx == 0) throw new IllegalArgumentException("samples all at the same time");
        double slope = sxy / sxx, intercept = yMean - slope * tMean;
        double[] residuals = new double[n];
        double sse = 0;
        for (int i = 0; i < n; i++) {
            residuals[i] = values[i] - (intercept + slope * hours[i]);
            sse += residuals[i] * residuals[i];
        }
        if (sse == 0) return new Trend(n, yMean, slope, slope, slope, n); // an exact line: no doubt about its slope
        double lag1 = 0;
        for (int i = 1; i < n; i++) lag1 += residuals[i] * residuals[i - 1];
        double r1 = Math.max(0, lag1 / sse); // negative autocorrelation would only narrow the interval: ignored
        double effectiveN = n * (1 - r1) / (1 + r1);
        if (effectiveN <= 3) return new Trend(n, yMean, slope, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, effectiveN);
        double se = Math.sqrt(sse / (n - 2) / sxx) * Math.sqrt((n - 2) / (effectiveN - 2));
        double t = new TDistribution(effectiveN - 2).inverseCumulativeProbability(0.975);
        return new Trend(n, yMean, slope, slope - t * se, slope + t * se, effectiveN);
    }

    /** Growth over 24 h at the fitted slope. */
    public double perDay() { return slopePerHour * 24; }

    /** Whether the series grows beyond doubt: the whole 95 % interval of its slope is above zero. */
    public boolean growsSignificantly() { return lowPerHour > 0; }
}
