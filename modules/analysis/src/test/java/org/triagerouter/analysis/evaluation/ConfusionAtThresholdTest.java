package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionAtThresholdTest {
    /** Abnormal 0.9, 0.5, 0.2; normal 0.7, 0.3, 0.1, 0.0. */
    static final List<LabelledScore> SCORES = RocCurveTest.scores(new double[] {0.9, 0.5, 0.2}, new double[] {0.7, 0.3, 0.1, 0.0});

    @Test
    void aScoreEqualToTheThresholdCountsAsAbnormal() {
        ConfusionAtThreshold c = ConfusionAtThreshold.of(new NamedThreshold("default", 0.5), SCORES);
        // called abnormal (score >= 0.5): 0.9 and 0.5 (abnormal), 0.7 (normal)
        assertEquals(new ConfusionAtThreshold("default", 0.5, 2, 1, 3, 1), c);
        assertEquals(2 / 3.0, c.sensitivity(), 1e-12);
        assertEquals(3 / 4.0, c.specificity(), 1e-12);
        assertEquals(2 / 3.0, c.ppv(), 1e-12);
        assertEquals(3 / 4.0, c.npv(), 1e-12);
    }

    @Test
    void ratesWithoutADenominatorAreUndefined() {
        ConfusionAtThreshold nothingCalled = ConfusionAtThreshold.of("strict", 0.95, SCORES);
        assertEquals(0.0, nothingCalled.sensitivity());
        assertEquals(1.0, nothingCalled.specificity());
        assertEquals(Double.NaN, nothingCalled.ppv());
        assertEquals(4 / 7.0, nothingCalled.npv(), 1e-12);
    }
}
