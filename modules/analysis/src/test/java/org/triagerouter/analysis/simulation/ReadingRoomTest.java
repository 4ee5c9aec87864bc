package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small reading rooms whose turnarounds are worked out by hand in the comments. */
class ReadingRoomTest {
    static final double MINUTE = 60;

    static SimulatedStudy study(String id, double arrivalMinutes, boolean abnormal, boolean flagged, double readingMinutes) {
        return new SimulatedStudy(id, arrivalMinutes * MINUTE, abnormal, flagged, readingMinutes * MINUTE);
    }

    static double turnaroundMinutes(ReadingRoomRun run, String id) {
        for (int i = 0; i < run.studies().size(); i++) {
            if (run.studies().get(i).id().equals(id)) return run.turnaroundSeconds(i) / MINUTE;
        }
        throw new AssertionError("no study " + id);
    }

    @Test
    void fifoWithOneRadiologistQueuesStudiesThatArriveFasterThanTheyAreRead() {
        // One study every 10 min, each read in 15 min, one radiologist: study k arrives at 10k and starts
        // when study k-1 is finished, at 15k, so it is finished at 15(k+1).
        //   k=0: arrives 0,  read 0-15,  turnaround 15
        //   k=1: arrives 10, read 15-30, turnaround 20
        //   k=2: arrives 20, read 30-45, turnaround 25
        //   k=3: arrives 30, read 45-60, turnaround 30
        //   k=4: arrives 40, read 60-75, turnaround 35   (in general 15 + 5k minutes)
        List<SimulatedStudy> studies = new ArrayList<>();
        for (int k = 0; k < 5; k++) studies.add(study("s" + k, 10 * k, false, false, 15));
        ReadingRoomRun run = new ReadingRoom(1).run(studies, new WorklistPolicy.Fifo());
        for (int k = 0; k < 5; k++) {
            assertEquals(15 + 5 * k, run.turnaroundSeconds(k) / MINUTE, 1e-9, "turnaround of study " + k);
            assertEquals(5 * k, run.waitSeconds(k) / MINUTE, 1e-9, "wait of study " + k);
        }
    }

    @Test
    void twoRadiologistsShareTheQueue() {
        // Four studies at time 0, 20 min each, two radiologists: two are read 0-20, two 20-40.
        List<SimulatedStudy> studies = List.of(study("a", 0, false, false, 20), study("b", 0, false, false, 20),
                study("c", 0, false, false, 20), study("d", 0, false, false, 20));
        ReadingRoomRun run = new ReadingRoom(2).run(studies, new WorklistPolicy.Fifo());
        assertEquals(List.of(20.0, 20.0, 40.0, 40.0), List.of(turnaroundMinutes(run, "a"), turnaroundMinutes(run, "b"),
                turnaroundMinutes(run, "c"), turnaroundMinutes(run, "d")));
    }

    @Test
    void prioritisedReadsTheFlaggedStudyOfThreeArrivingTogetherFirst() {
        // Three studies arrive at 0, 10 min each, one radiologist; only C (abnormal) is flagged.
        //   FIFO:        A 0-10, B 10-20, C 20-30  -> A 10, B 20, C 30
        //   prioritised: C 0-10, A 10-20, B 20-30  -> C 10, A 20, B 30
        List<SimulatedStudy> studies = List.of(study("A", 0, false, false, 10), study("B", 0, false, false, 10),
                study("C", 0, true, true, 10));
        ReadingRoom room = new ReadingRoom(1);
        ReadingRoomRun fifo = room.run(studies, new WorklistPolicy.Fifo());
        ReadingRoomRun prioritised = room.run(studies, new WorklistPolicy.Prioritised());
        assertEquals(List.of(10.0, 20.0, 30.0), List.of(turnaroundMinutes(fifo, "A"), turnaroundMinutes(fifo, "B"), turnaroundMinutes(fifo, "C")));
        assertEquals(List.of(20.0, 30.0, 10.0),
                List.of(turnaroundMinutes(prioritised, "A"), turnaroundMinutes(prioritised, "B"), turnaroundMinutes(prioritised, "C")));
    }

    /** N (normal, unflagged) and F0 arrive at 0; flagged F1..F8 arrive at 5, 15, 25, ... 75 min; every reading takes 10 min. */
    static List<SimulatedStudy> normalStudyAmongAStreamOfFlaggedOnes() {
        List<SimulatedStudy> studies = new ArrayList<>();
        studies.add(study("F0", 0, true, true, 10));
        studies.add(study("N", 0, false, false, 10));
        for (int k = 1; k <= 8; k++) studies.add(study("F" + k, 5 + 10 * (k - 1), true, true, 10));
        return studies;
    }

    @Test
    void prioritisedLetsAStreamOfFlaggedStudiesStarveANormalOne() {
        // Whenever the radiologist is free (10, 20, ... 80) a flagged study is waiting (F_k arrived 5 min
        // earlier), so N waits until F8 (arrived 75, read 80-90) is done: N is read 90-100, turnaround 100.
        ReadingRoomRun run = new ReadingRoom(1).run(normalStudyAmongAStreamOfFlaggedOnes(), new WorklistPolicy.Prioritised());
        assertEquals(100, turnaroundMinutes(run, "N"), 1e-9);
    }

    @Test
    void waitCapReadsTheStarvingStudyOnceItHasWaitedTheCap() {
        // Cap 30 min. At 10 and 20 N has waited less than 30, so F1 (10-20) and F2 (20-30) go first. At 30 N
        // has waited exactly 30 (the cap counts as reached), so N is read 30-40: turnaround 40. F3, which
        // arrived at 25, is read next, 40-50: turnaround 25. F2 (arrived 15, read 20-30) is unaffected: 15.
        ReadingRoomRun run = new ReadingRoom(1).run(normalStudyAmongAStreamOfFlaggedOnes(), new WorklistPolicy.PrioritisedWithWaitCap(30 * MINUTE));
        assertEquals(40, turnaroundMinutes(run, "N"), 1e-9);
        assertEquals(25, turnaroundMinutes(run, "F3"), 1e-9);
        assertEquals(15, turnaroundMinutes(run, "F2"), 1e-9);
    }

    @Test
    void studiesOutOfArrivalOrderAreRejected() {
        List<SimulatedStudy> studies = List.of(study("late", 5, false, false, 1), study("early", 1, false, false, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReadingRoom(1).run(studies, new WorklistPolicy.Fifo()));
        assertEquals("studies must be sorted by arrival: early arrives before late", e.getMessage());
    }
}
