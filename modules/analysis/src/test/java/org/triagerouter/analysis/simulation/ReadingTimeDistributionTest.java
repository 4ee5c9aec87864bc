package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.DoubleSupplier;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;

class ReadingTimeDistributionTest {

    @Test
    void lognormalDrawsHaveTheRequestedMeanAndSd() {
        DoubleSupplier draws = new ReadingTimeDistribution.LogNormal(300, 150).sampler(new Well19937c(5));
        SummaryStatistics stats = new SummaryStatistics();
        for (int i = 0; i < 200_000; i++) stats.addValue(draws.getAsDouble());
        assertEquals(300, stats.getMean(), 3);
        assertEquals(150, stats.getStandardDeviation(), 4);
    }

    @Test
    void exponentialDrawsHaveTheRequestedMean() {
        DoubleSupplier draws = new ReadingTimeDistribution.Exponential(360).sampler(new Well19937c(6));
        SummaryStatistics stats = new SummaryStatistics();
        for (int i = 0; i < 200_000; i++) stats.addValue(draws.getAsDouble());
        assertEquals(360, stats.getMean(), 4);
        assertEquals(360, stats.getStandardDeviation(), 6);
    }

    @Test
    void parsesTheCommandLineForms() {
        assertEquals(new ReadingTimeDistribution.Fixed(300), ReadingTimeDistribution.parse("fixed:300"));
        assertEquals(new ReadingTimeDistribution.Exponential(240), ReadingTimeDistribution.parse("exponential:240"));
        assertEquals(new ReadingTimeDistribution.LogNormal(300, 150), ReadingTimeDistribution.parse("LogNormal: 300, 150"));
        assertEquals("reading time 'lognormal:300': lognormal takes 2 number(s) of seconds",
                assertThrows(IllegalArgumentException.class, () -> ReadingTimeDistribution.parse("lognormal:300")).getMessage());
        assertEquals("reading time 'gamma:3': kind must be fixed, exponential or lognormal",
                assertThrows(IllegalArgumentException.class, () -> ReadingTimeDistribution.parse("gamma:3")).getMessage());
    }
}
