package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

class OperatingPointFlaggerTest {

    @Test
    void flagsRealiseTheSensitivityAndSpecificityOnALargeSample() {
        OperatingPointFlagger ai = new OperatingPointFlagger(0.85, 0.70);
        RandomGenerator random = new Well19937c(3);
        int abnormal = 0, flaggedAbnormal = 0, normal = 0, unflaggedNormal = 0;
        for (int i = 0; i < 200_000; i++) {
            StudyArrival study = new StudyArrival(Integer.toString(i), i, i % 5 == 0, null);
            boolean flagged = ai.flags(study, random);
            if (study.abnormal()) {
                abnormal++;
                if (flagged) flaggedAbnormal++;
            } else {
                normal++;
                if (!flagged) unflaggedNormal++;
            }
        }
        // Standard errors: sqrt(0.85·0.15/40000) ≈ 0.0018 and sqrt(0.7·0.3/160000) ≈ 0.0011; 0.01 is over 5 of them.
        assertEquals(0.85, (double) flaggedAbnormal / abnormal, 0.01);
        assertEquals(0.70, (double) unflaggedNormal / normal, 0.01);
    }

    @Test
    void scoreThresholdFlagsAtOrAboveTheThresholdAndRefusesUnscoredStudies() {
        ScoreThresholdFlagger ai = new ScoreThresholdFlagger(0.5);
        assertTrue(ai.flags(new StudyArrival("a", 0, true, 0.5), null));
        assertFalse(ai.flags(new StudyArrival("b", 0, true, 0.4999), null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ai.flags(new StudyArrival("c", 0, true, null), null));
        assertEquals("study c has no AI score, so a score threshold cannot flag it", e.getMessage());
    }
}
