package org.triagerouter.analysis.simulation;

import java.util.List;

/**
 * What happened to each study in one run of a policy. Turnaround is report finished minus arrival:
 * the wait in the worklist plus the reading itself.
 */
public final class ReadingRoomRun {
    private final List<SimulatedStudy> studies;
    private final WorklistPolicy policy;
    private final double[] startSeconds;

    ReadingRoomRun(List<SimulatedStudy> studies, WorklistPolicy policy, double[] startSeconds) {
        this.studies = studies;
        this.policy = policy;
        this.startSeconds = startSeconds;
    }

    public List<SimulatedStudy> studies() {
        return studies;
    }

    public WorklistPolicy policy() {
        return policy;
    }

    /** When a radiologist started reading study {@code index} (its position in {@link #studies()}). */
    public double startSeconds(int index) {
        return startSeconds[index];
    }

    public double waitSeconds(int index) {
        return startSeconds[index] - studies.get(index).arrivalSeconds();
    }

    public double turnaroundSeconds(int index) {
        return waitSeconds(index) + studies.get(index).readingSeconds();
    }
}
