package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Random reading rooms: what the policies do to each other on the same studies. */
class PolicyComparisonTest {
    static final double MINUTE = 60;

    /** 200 studies a day, 20% abnormal, exponential 6-minute reads, one radiologist: offered load 200 × 6 / 1440 ≈ 0.83. */
    static SimulationSettings loadedRoom(AiFlagger ai, int replications) {
        return new SimulationSettings(new PoissonArrivals(200, 0.2, 30, DailyProfile.flat()), ai,
                ReadingTimes.same(new ReadingTimeDistribution.Exponential(6 * MINUTE)), 1,
                WorklistPolicy.standardSet(60 * MINUTE), replications, 42);
    }

    @Test
    void prioritisingFlaggedStudiesSpeedsUpAbnormalAndSlowsDownNormalStudies() {
        SimulationResult result = ReadingRoomSimulation.run(loadedRoom(new OperatingPointFlagger(0.9, 0.8), 3));
        assertEquals(0.83, result.offeredLoad(), 0.05, "the room is loaded as intended");
        PolicyOutcome fifo = result.summary().outcome(new WorklistPolicy.Fifo());
        PolicyOutcome prioritised = result.summary().outcome(new WorklistPolicy.Prioritised());
        double abnormalChange = result.summary().changeFromBaseline(prioritised, true).mean();
        double normalChange = result.summary().changeFromBaseline(prioritised, false).mean();
        assertTrue(prioritised.abnormal().meanSeconds() < 0.7 * fifo.abnormal().meanSeconds(),
                "abnormal mean " + prioritised.abnormal().meanSeconds() / MINUTE + " min vs FIFO " + fifo.abnormal().meanSeconds() / MINUTE);
        assertTrue(prioritised.normal().meanSeconds() > fifo.normal().meanSeconds(),
                "normal mean " + prioritised.normal().meanSeconds() / MINUTE + " min vs FIFO " + fifo.normal().meanSeconds() / MINUTE);
        assertTrue(abnormalChange < -30 && normalChange > 0, "changes " + abnormalChange + "%, " + normalChange + "%");
        assertEquals(fifo.abnormal().count() + fifo.normal().count(), 3 * result.studiesPerReplication(), 1e-9);
    }

    @Test
    void everyPolicyEqualsFifoWhenTheAiFlagsNothing() {
        SimulationResult result = ReadingRoomSimulation.run(loadedRoom(new OperatingPointFlagger(0, 1), 2));
        PolicyOutcome fifo = result.summary().outcome(new WorklistPolicy.Fifo());
        for (PolicyOutcome outcome : result.summary().outcomes()) {
            assertEquals(fifo.abnormal(), outcome.abnormal(), outcome.policy().label());
            assertEquals(fifo.normal(), outcome.normal(), outcome.policy().label());
        }
    }

    /**
     * The real bound on waiting under the wait cap. Let study s arrive at a and still wait at T = a + cap.
     * From T on, only studies that arrived before s and also still wait at T (call their number Q) can be
     * taken before s: every other study is either younger (so behind s once overdue) or not overdue. At T
     * all N radiologists are busy (an idle one would have taken s), each with a reading that ends within
     * R (the longest reading) and each next reading again within R, so the k-th study taken from T on is
     * taken by T + ceil(k / N) × R. s is at most the (Q + 1)-th, so
     *     wait(s) ≤ cap + ceil((Q + 1) / N) × R.
     * With no older study overdue (Q = 0) this is cap + R, the "cap plus one reading" people expect; the cap
     * alone is not a hard limit, and in a backlog Q (and the wait) can grow without bound.
     */
    @Test
    void waitCapBoundsEveryWaitByTheCapPlusTheReadingsOfOlderOverdueStudies() {
        int radiologists = 3;
        double cap = 60 * MINUTE;
        SimulationSettings settings = new SimulationSettings(new PoissonArrivals(620, 0.2, 20, DailyProfile.hospitalDay()),
                new OperatingPointFlagger(0.9, 0.7), ReadingTimes.same(new ReadingTimeDistribution.LogNormal(6 * MINUTE, 4 * MINUTE)),
                radiologists, WorklistPolicy.standardSet(cap), 1, 7);
        List<SimulatedStudy> studies = ReadingRoomSimulation.studiesOfReplication(settings, 0);
        double longestReading = studies.stream().mapToDouble(SimulatedStudy::readingSeconds).max().orElseThrow();
        ReadingRoom room = new ReadingRoom(radiologists);

        ReadingRoomRun prioritised = room.run(studies, new WorklistPolicy.Prioritised());
        assertTrue(maxNormalWait(prioritised) > cap + longestReading,
                "precondition: without the cap some normal study waits longer than cap + longest reading");

        ReadingRoomRun capped = room.run(studies, new WorklistPolicy.PrioritisedWithWaitCap(cap));
        int overdue = 0;
        for (int s = 0; s < studies.size(); s++) {
            double wait = capped.waitSeconds(s);
            if (wait <= cap) continue;
            overdue++;
            double reachedCap = studies.get(s).arrivalSeconds() + cap;
            int olderStillWaiting = 0;
            for (int j = 0; j < s; j++) if (capped.startSeconds(j) >= reachedCap) olderStillWaiting++;
            double bound = cap + Math.ceil((olderStillWaiting + 1.0) / radiologists) * longestReading;
            assertTrue(wait <= bound + 1e-6, "study " + studies.get(s).id() + " waited " + wait + " s, bound " + bound + " s");
        }
        assertTrue(overdue > 0, "precondition: some studies reach the cap, so the bound is exercised");
        assertTrue(maxNormalWait(capped) < maxNormalWait(prioritised), "the cap shortens the longest normal wait");
    }

    private static double maxNormalWait(ReadingRoomRun run) {
        double max = 0;
        for (int i = 0; i < run.studies().size(); i++) if (!run.studies().get(i).abnormal()) max = Math.max(max, run.waitSeconds(i));
        return max;
    }

    @Test
    void theSameSeedGivesTheSameResultAndProgressReachesOne() {
        List<Double> progress = new ArrayList<>();
        SimulationResult first = ReadingRoomSimulation.run(loadedRoom(new OperatingPointFlagger(0.9, 0.8), 2), progress::add);
        SimulationResult second = ReadingRoomSimulation.run(loadedRoom(new OperatingPointFlagger(0.9, 0.8), 2));
        assertEquals(first.summary(), second.summary());
        assertEquals(List.of(1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 1.0), progress);
    }
}
