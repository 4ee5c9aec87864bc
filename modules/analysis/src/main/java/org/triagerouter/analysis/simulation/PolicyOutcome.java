package org.triagerouter.analysis.simulation;

/** Turnaround under one worklist policy, pooled over all replications, for truly abnormal and truly normal studies. */
public record PolicyOutcome(WorklistPolicy policy, TurnaroundStatistics abnormal, TurnaroundStatistics normal) {

    public TurnaroundStatistics of(boolean abnormalStudies) {
        return abnormalStudies ? abnormal : normal;
    }
}
