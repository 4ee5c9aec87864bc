package org.triagerouter.analysis.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * The ROC curve of scores against ground truth and its area. Points run from (0, 0) (threshold +∞: nothing
 * called abnormal) through one point per distinct score, highest first, to (1, 1). The AUC is the
 * Mann–Whitney statistic with ties counted one half, which equals the trapezoidal area under these points;
 * computed exactly in O(n log n).
 */
public final class RocCurve {
    private final List<RocPoint> points;
    private final double auc;
    private final int abnormalCount;
    private final int normalCount;

    private RocCurve(List<RocPoint> points, double auc, int abnormalCount, int normalCount) {
        this.points = points;
        this.auc = auc;
        this.abnormalCount = abnormalCount;
        this.normalCount = normalCount;
    }

    /** @throws IllegalArgumentException unless there is at least one abnormal and one normal study */
    public static RocCurve of(List<LabelledScore> scores) {
        requireBothClasses(scores);
        ScoreGroups groups = new ScoreGroups(scores);
        List<RocPoint> points = new ArrayList<>(groups.values.length + 1);
        points.add(new RocPoint(Double.POSITIVE_INFINITY, 0, 0));
        int truePositives = 0;
        int falsePositives = 0;
        for (int g = groups.values.length - 1; g >= 0; g--) {
            truePositives += groups.abnormal[g];
            falsePositives += groups.normal[g];
            points.add(new RocPoint(groups.values[g], (double) falsePositives / groups.normalTotal, (double) truePositives / groups.abnormalTotal));
        }
        return new RocCurve(List.copyOf(points), ScoreGroups.auc(groups.abnormal, groups.normal), groups.abnormalTotal, groups.normalTotal);
    }

    public List<RocPoint> points() {
        return points;
    }

    public double auc() {
        return auc;
    }

    public int abnormalCount() {
        return abnormalCount;
    }

    public int normalCount() {
        return normalCount;
    }

    static void requireBothClasses(List<LabelledScore> scores) {
        boolean anyAbnormal = scores.stream().anyMatch(LabelledScore::abnormal);
        boolean anyNormal = scores.stream().anyMatch(s -> !s.abnormal());
        if (!anyAbnormal || !anyNormal) {
            throw new IllegalArgumentException("a ROC analysis needs at least one abnormal and one normal study; got "
                    + scores.stream().filter(LabelledScore::abnormal).count() + " abnormal and "
                    + scores.stream().filter(s -> !s.abnormal()).count() + " normal");
        }
    }
}
