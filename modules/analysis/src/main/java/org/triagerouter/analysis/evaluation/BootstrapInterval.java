package org.triagerouter.analysis.evaluation;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * A percentile-bootstrap confidence interval for the AUC. Each resample draws, with replacement, as many
 * abnormal studies from the abnormal ones and as many normal from the normal ones as the data has
 * (stratified, so every resample has both classes and the prevalence of the data). The interval is the
 * (1 − level)/2 and (1 + level)/2 percentiles of the resampled AUCs (linear interpolation, R-7).
 *
 * @param estimate the AUC of the data itself
 */
public record BootstrapInterval(double estimate, double lower, double upper, double level, int resamples, long seed) {

    public static final int DEFAULT_RESAMPLES = 2000;

    /** The 95% interval from {@value #DEFAULT_RESAMPLES} resamples. */
    public static BootstrapInterval forAuc(List<LabelledScore> scores, long seed) {
        return forAuc(scores, DEFAULT_RESAMPLES, 0.95, seed);
    }

    public static BootstrapInterval forAuc(List<LabelledScore> scores, int resamples, double level, long seed) {
        if (resamples < 1) throw new IllegalArgumentException("at least one bootstrap resample is required, not " + resamples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("confidence level must be within (0, 1), not " + level);
        RocCurve.requireBothClasses(scores);
        ScoreGroups groups = new ScoreGroups(scores);
        int[] abnormalGroups = new int[groups.abnormalTotal];
        int[] normalGroups = new int[groups.normalTotal];
        int a = 0;
        int n = 0;
        for (int i = 0; i < scores.size(); i++) {
            if (scores.get(i).abnormal()) abnormalGroups[a++] = groups.groupOfStudy[i];
            else normalGroups[n++] = groups.groupOfStudy[i];
        }
        RandomGenerator random = new Well19937c(seed);
        int[] abnormalCounts = new int[groups.values.length];
        int[] normalCounts = new int[groups.values.length];
        double[] aucs = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            Arrays.fill(abnormalCounts, 0);
            Arrays.fill(normalCounts, 0);
            for (int k = 0; k < abnormalGroups.length; k++) abnormalCounts[abnormalGroups[random.nextInt(abnormalGroups.length)]]++;
            for (int k = 0; k < normalGroups.length; k++) normalCounts[normalGroups[random.nextInt(normalGroups.length)]]++;
            aucs[r] = ScoreGroups.auc(abnormalCounts, normalCounts);
        }
        Percentile percentile = new Percentile().withEstimationType(EstimationType.R_7);
        percentile.setData(aucs);
        double tail = 100 * (1 - level) / 2;
        return new BootstrapInterval(ScoreGroups.auc(groups.abnormal, groups.normal),
                percentile.evaluate(tail), percentile.evaluate(100 - tail), level, resamples, seed);
    }
}
