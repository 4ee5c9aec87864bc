package org.triagerouter.analysis.evaluation;

import java.util.Arrays;
import java.util.List;

/**
 * Scores sorted once and grouped by distinct value, ascending, with the count of abnormal and normal
 * studies in each group. The ROC curve, the AUC and every bootstrap resample are computed from these
 * groups, so tied scores are handled the same way everywhere.
 */
final class ScoreGroups {
    final double[] values;
    final int[] abnormal;
    final int[] normal;
    /** For each input study (in input order), the index of its group. */
    final int[] groupOfStudy;
    final int abnormalTotal;
    final int normalTotal;

    ScoreGroups(List<LabelledScore> scores) {
        int n = scores.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores.get(a).score(), scores.get(b).score()));
        double[] groupValues = new double[n];
        int[] groupAbnormal = new int[n];
        int[] groupNormal = new int[n];
        groupOfStudy = new int[n];
        int groups = 0;
        int abnormalCount = 0;
        for (int k = 0; k < n; k++) {
            LabelledScore s = scores.get(order[k]);
            if (groups == 0 || s.score() != groupValues[groups - 1]) groupValues[groups++] = s.score();
            groupOfStudy[order[k]] = groups - 1;
            if (s.abnormal()) {
                groupAbnormal[groups - 1]++;
                abnormalCount++;
            } else {
                groupNormal[groups - 1]++;
            }
        }
        values = Arrays.copyOf(groupValues, groups);
        abnormal = Arrays.copyOf(groupAbnormal, groups);
        normal = Arrays.copyOf(groupNormal, groups);
        abnormalTotal = abnormalCount;
        normalTotal = n - abnormalCount;
    }

    /**
     * The Mann–Whitney AUC for studies counted {@code abnormalCounts[g]} and {@code normalCounts[g]} times
     * per group: the fraction of (abnormal, normal) pairs in which the abnormal study scores higher, a tie
     * counting one half.
     */
    static double auc(int[] abnormalCounts, int[] normalCounts) {
        double wins = 0;
        long normalsBelow = 0;
        long abnormalTotal = 0;
        for (int g = 0; g < abnormalCounts.length; g++) {
            wins += abnormalCounts[g] * (normalsBelow + 0.5 * normalCounts[g]);
            normalsBelow += normalCounts[g];
            abnormalTotal += abnormalCounts[g];
        }
        return wins / ((double) abnormalTotal * normalsBelow);
    }
}
