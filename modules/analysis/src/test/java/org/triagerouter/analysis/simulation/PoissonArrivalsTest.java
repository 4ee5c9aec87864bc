package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

class PoissonArrivalsTest {

    @Test
    void countOverManyDaysIsTheDailyRateTimesTheDays() {
        List<StudyArrival> studies = new PoissonArrivals(500, 0.2, 200, DailyProfile.flat()).arrivals(new Well19937c(1));
        // Expected 100 000, Poisson sd ≈ 316: 1 500 is over 4.5 sd.
        assertEquals(100_000, studies.size(), 1_500);
        long abnormal = studies.stream().filter(StudyArrival::abnormal).count();
        assertEquals(0.2, (double) abnormal / studies.size(), 0.01);
        assertTrue(studies.get(studies.size() - 1).arrivalSeconds() < 200 * 86_400.0);
        for (int i = 1; i < studies.size(); i++) assertTrue(studies.get(i).arrivalSeconds() >= studies.get(i - 1).arrivalSeconds());
    }

    @Test
    void dailyProfilePutsMoreArrivalsInBusyHours() {
        DailyProfile profile = DailyProfile.hospitalDay();
        List<StudyArrival> studies = new PoissonArrivals(500, 0.2, 100, profile).arrivals(new Well19937c(2));
        int[] perHour = new int[24];
        for (StudyArrival s : studies) perHour[(int) ((s.arrivalSeconds() % 86_400) / 3_600)]++;
        for (int hour = 0; hour < 24; hour++) {
            double expected = 500 * 100 * profile.shareOfDay(hour);
            assertEquals(expected, perHour[hour], 5 * Math.sqrt(expected), "arrivals in hour " + hour);
        }
        // hour 10 weighs 9, hour 3 weighs 1
        assertTrue(perHour[10] > 6 * perHour[3], "busy hour " + perHour[10] + " vs quiet hour " + perHour[3]);
    }

    @Test
    void profileParsesFromText() {
        assertEquals(DailyProfile.hospitalDay(), DailyProfile.parse("1,1,1,1,1,1,2,4,7,9,9,8,6,7,8,8,6,4,3,2,2,1.5,1,1"));
        assertEquals("daily profile: weight 3 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> DailyProfile.parse("1,1,x")).getMessage());
    }
}
