package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * Binormal scores: normal studies N(0, 1), abnormal N(d, 1). The difference of an abnormal and a normal
 * score is N(d, 2), so the true AUC is P(difference > 0) = Φ(d / √2).
 */
class BootstrapIntervalTest {
    static final double SEPARATION = 1.0;
    static final double TRUE_AUC = new NormalDistribution().cumulativeProbability(SEPARATION / Math.sqrt(2)); // ≈ 0.760

    static List<LabelledScore> binormal(int perClass, RandomGenerator random) {
        List<LabelledScore> scores = new ArrayList<>();
        for (int i = 0; i < perClass; i++) {
            scores.add(new LabelledScore("a" + i, SEPARATION + random.nextGaussian(), true));
            scores.add(new LabelledScore("n" + i, random.nextGaussian(), false));
        }
        return scores;
    }

    @Test
    void intervalCoversTheTrueAucOfBinormalScores() {
        List<LabelledScore> scores = binormal(200, new Well19937c(11));
        BootstrapInterval ci = BootstrapInterval.forAuc(scores, 12);
        assertEquals(RocCurve.of(scores).auc(), ci.estimate());
        assertTrue(ci.lower() < ci.estimate() && ci.estimate() < ci.upper(), ci.toString());
        assertTrue(ci.lower() <= TRUE_AUC && TRUE_AUC <= ci.upper(), ci + " should cover " + TRUE_AUC);
        // The AUC's standard error here is about 0.024 (Hanley–McNeil), so a 95% interval is about 0.09 wide.
        assertEquals(0.09, ci.upper() - ci.lower(), 0.03, ci.toString());
    }

    @Test
    void aboutNinetyFivePercentOfIntervalsCoverTheTrueAuc() {
        RandomGenerator data = new Well19937c(99);
        int datasets = 100;
        int covered = 0;
        for (int d = 0; d < datasets; d++) {
            BootstrapInterval ci = BootstrapInterval.forAuc(binormal(60, data), 1000, 0.95, d);
            if (ci.lower() <= TRUE_AUC && TRUE_AUC <= ci.upper()) covered++;
        }
        assertTrue(covered >= 85, covered + " of " + datasets + " intervals cover the true AUC");
    }

    @Test
    void theSameSeedGivesTheSameInterval() {
        List<LabelledScore> scores = binormal(50, new Well19937c(1));
        assertEquals(BootstrapInterval.forAuc(scores, 500, 0.95, 3), BootstrapInterval.forAuc(scores, 500, 0.95, 3));
    }
}
