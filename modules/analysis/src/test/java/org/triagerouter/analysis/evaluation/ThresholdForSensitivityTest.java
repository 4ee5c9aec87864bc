package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdForSensitivityTest {
    /** Abnormal 0.9, 0.8, 0.7, 0.6, 0.3; normal 0.65, 0.5, 0.2, 0.1. */
    static final List<LabelledScore> SCORES = RocCurveTest.scores(new double[] {0.9, 0.8, 0.7, 0.6, 0.3}, new double[] {0.65, 0.5, 0.2, 0.1});

    @Test
    void picksTheHighestThresholdThatReachesTheTarget() {
        // 0.8 of 5 abnormal = 4 must pass: the 4th highest abnormal score, 0.6 (at 0.65 only 3 pass).
        // Normal studies below 0.6: 0.5, 0.2, 0.1, so specificity 3/4.
        ThresholdForSensitivity t = ThresholdForSensitivity.of(SCORES, 0.8);
        assertEquals(0.6, t.threshold());
        assertEquals(0.8, t.achieved().sensitivity(), 1e-12);
        assertEquals(0.75, t.achieved().specificity(), 1e-12);
    }

    @Test
    void aTargetBetweenAchievableSensitivitiesRoundsUp() {
        // 0.9 of 5 = 4.5, so all 5 must pass: threshold 0.3, sensitivity 1, specificity 2/4.
        ThresholdForSensitivity t = ThresholdForSensitivity.of(SCORES, 0.9);
        assertEquals(0.3, t.threshold());
        assertEquals(1.0, t.achieved().sensitivity());
        assertEquals(0.5, t.achieved().specificity());
    }

    @Test
    void aTargetThatIsExactlyAchievableIsNotLostToRounding() {
        // 0.6 × 5 is 3.0000000000000004 in floating point; 3 passing studies (threshold 0.7) are enough.
        assertEquals(0.7, ThresholdForSensitivity.of(SCORES, 0.6).threshold());
    }

    @Test
    void aRoundedThresholdIsRoundedDownSoTheTargetIsStillReached() {
        List<LabelledScore> scores = RocCurveTest.scores(new double[] {0.87659, 0.5}, new double[] {0.87652, 0.1});
        // Sensitivity 0.5 needs the 0.87659 study. Rounded to nearest (0.8766) it would be lost; rounded down
        // (0.8765) it stays, and so does the normal 0.87652 study.
        ThresholdForSensitivity t = ThresholdForSensitivity.of(scores, 0.5, 4);
        assertEquals(0.8765, t.threshold());
        assertEquals(new ConfusionAtThreshold("sensitivity >= 0.50", 0.8765, 1, 1, 1, 1), t.achieved());
    }
}
