package org.triagerouter.app.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TrendTest {
    /** 126 samples 10 s apart: the steady part of a 30-minute soak. */
    private static double[] hours() {
        double[] t = new double[126];
        for (int i = 0; i < t.length; i++) t[i] = (540 + 10.0 * i) / 3600;
        return t;
    }

    @Test
    void aFlatNoisySeriesDoesNotGrowSignificantly() {
        double[] t = hours(), y = new double[t.length];
        Random random = new Random(1);
        for (int i = 0; i < y.length; i++) y[i] = 300 + random.nextGaussian() * 20;
        Trend trend = Trend.fit(t, y);
        assertFalse(trend.growsSignificantly(), trend.toString());
        assertTrue(trend.lowPerHour() < 0 && trend.highPerHour() > 0, trend.toString());
        assertEquals(300, trend.mean(), 5);
    }

    @Test
    void aSteadyLeakUnderNoiseIsFoundWithItsRate() {
        double[] t = hours(), y = new double[t.length];
        Random random = new Random(2);
        for (int i = 0; i < y.length; i++) y[i] = 300 + 200 * t[i] + random.nextGaussian() * 5; // 200 units an hour
        Trend trend = Trend.fit(t, y);
        assertTrue(trend.growsSignificantly(), trend.toString());
        assertEquals(200, trend.slopePerHour(), 20);
        assertEquals(4800, trend.perDay(), 480);
    }

    @Test
    void aSawtoothCountsAsFewerIndependentSamples() {
        // A retention job that fires every minute empties what built up since: six samples per tooth.
        double[] t = hours(), y = new double[t.length];
        for (int i = 0; i < y.length; i++) y[i] = 60 * (i % 6);
        Trend trend = Trend.fit(t, y);
        assertTrue(trend.effectiveN() < 0.8 * t.length, trend.toString());
        assertFalse(trend.growsSignificantly(), trend.toString());
    }

    @Test
    void anExactLineHasNoDoubtAboutItsSlope() {
        double[] t = hours(), y = new double[t.length];
        for (int i = 0; i < y.length; i++) y[i] = 46;
        Trend flat = Trend.fit(t, y);
        assertEquals(0, flat.slopePerHour());
        assertFalse(flat.growsSignificantly());
        for (int i = 0; i < y.length; i++) y[i] = 46 + i; // one descriptor more every sample
        assertTrue(Trend.fit(t, y).growsSignificantly());
    }
}
