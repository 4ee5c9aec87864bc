package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTableTest {

    @Test
    void binsCountStudiesWithTheirMeanScoreAndAbnormalFraction() {
        List<LabelledScore> scores = List.of(
                new LabelledScore("a", 0.10, false), new LabelledScore("b", 0.20, false), new LabelledScore("c", 0.30, true),
                new LabelledScore("d", 0.60, true), new LabelledScore("e", 0.80, true), new LabelledScore("f", 1.00, false));
        CalibrationTable table = CalibrationTable.of(scores, 4);
        // [0, .25): a, b   [.25, .5): c   [.5, .75): d   [.75, 1]: e, f (1.0 belongs to the last bin)
        List<CalibrationBin> expected = List.of(new CalibrationBin(0, 0.25, 2, 0.15, 0), new CalibrationBin(0.25, 0.5, 1, 0.3, 1),
                new CalibrationBin(0.5, 0.75, 1, 0.6, 1), new CalibrationBin(0.75, 1, 2, 0.9, 0.5));
        assertEquals(expected.size(), table.bins().size());
        for (int b = 0; b < expected.size(); b++) {
            CalibrationBin want = expected.get(b), got = table.bins().get(b);
            assertEquals(want.from(), got.from(), 1e-12, "bin " + b);
            assertEquals(want.to(), got.to(), 1e-12, "bin " + b);
            assertEquals(want.count(), got.count(), "bin " + b);
            assertEquals(want.meanScore(), got.meanScore(), 1e-12, "bin " + b);
            assertEquals(want.observedAbnormalFraction(), got.observedAbnormalFraction(), 1e-12, "bin " + b);
        }
    }

    @Test
    void emptyBinsAreListedWithCountZero() {
        CalibrationTable table = CalibrationTable.of(List.of(new LabelledScore("a", 0.95, true)), CalibrationTable.DEFAULT_BINS);
        assertEquals(10, table.bins().size());
        assertEquals(new CalibrationBin(0, 0.1, 0, Double.NaN, Double.NaN), table.bins().get(0));
        assertEquals(1, table.bins().get(9).count());
    }

    @Test
    void aScoreOutsideZeroToOneIsRefused() {
        assertEquals("study x: score 1.2 is not a probability in [0, 1]",
                assertThrows(IllegalArgumentException.class, () -> CalibrationTable.of(List.of(new LabelledScore("x", 1.2, true)), 10)).getMessage());
    }
}
