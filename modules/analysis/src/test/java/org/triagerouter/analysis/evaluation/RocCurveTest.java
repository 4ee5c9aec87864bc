package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RocCurveTest {

    static List<LabelledScore> scores(double[] abnormal, double[] normal) {
        List<LabelledScore> scores = new ArrayList<>();
        for (int i = 0; i < abnormal.length; i++) scores.add(new LabelledScore("a" + i, abnormal[i], true));
        for (int i = 0; i < normal.length; i++) scores.add(new LabelledScore("n" + i, normal[i], false));
        return scores;
    }

    /** Abnormal 0.9, 0.6, 0.4; normal 0.6, 0.4, 0.1. */
    static final List<LabelledScore> TIED = scores(new double[] {0.9, 0.6, 0.4}, new double[] {0.6, 0.4, 0.1});

    @Test
    void aucCountsWinningPairsWithTiesAsHalf() {
        // The 9 (abnormal, normal) pairs:
        //   0.9 vs 0.6, 0.4, 0.1: win, win, win    = 3
        //   0.6 vs 0.6, 0.4, 0.1: tie, win, win    = 2.5
        //   0.4 vs 0.6, 0.4, 0.1: loss, tie, win   = 1.5
        // AUC = 7 / 9
        assertEquals(7.0 / 9, RocCurve.of(TIED).auc(), 1e-12);
    }

    @Test
    void pointsStepThroughEveryDistinctScoreAndTheirAreaIsTheAuc() {
        RocCurve roc = RocCurve.of(TIED);
        // thresholds +inf, 0.9, 0.6, 0.4, 0.1 call 0, 1, 2+1, 3+2, 3+3 studies (abnormal+normal) abnormal
        assertEquals(List.of(new RocPoint(Double.POSITIVE_INFINITY, 0, 0), new RocPoint(0.9, 0, 1 / 3.0),
                new RocPoint(0.6, 1 / 3.0, 2 / 3.0), new RocPoint(0.4, 2 / 3.0, 1), new RocPoint(0.1, 1, 1)), roc.points());
        double trapezoids = 0;
        for (int i = 1; i < roc.points().size(); i++) {
            RocPoint a = roc.points().get(i - 1), b = roc.points().get(i);
            trapezoids += (b.falsePositiveRate() - a.falsePositiveRate()) * (a.truePositiveRate() + b.truePositiveRate()) / 2;
        }
        assertEquals(roc.auc(), trapezoids, 1e-12);
    }

    @Test
    void perfectSeparationScoresOneAndReversedScoresZero() {
        assertEquals(1.0, RocCurve.of(scores(new double[] {0.8, 0.9}, new double[] {0.1, 0.2, 0.7})).auc());
        assertEquals(0.0, RocCurve.of(scores(new double[] {0.1, 0.2}, new double[] {0.8, 0.9})).auc());
    }

    @Test
    void scoresThatCannotTellTheClassesApartScoreOneHalf() {
        assertEquals(0.5, RocCurve.of(scores(new double[] {0.3, 0.3, 0.3}, new double[] {0.3, 0.3})).auc());
        // interleaved: pairs 0.2>0.1, 0.2<0.3, 0.4>0.1, 0.4>0.3 → 3 of 4... and its mirror image gives 1 of 4; together 4 of 8
        assertEquals(0.75, RocCurve.of(scores(new double[] {0.2, 0.4}, new double[] {0.1, 0.3})).auc());
        assertEquals(0.25, RocCurve.of(scores(new double[] {0.1, 0.3}, new double[] {0.2, 0.4})).auc());
    }

    @Test
    void oneClassAloneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RocCurve.of(scores(new double[] {0.3}, new double[0])));
        assertEquals("a ROC analysis needs at least one abnormal and one normal study; got 1 abnormal and 0 normal", e.getMessage());
    }
}
