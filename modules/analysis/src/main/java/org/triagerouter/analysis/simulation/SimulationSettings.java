package org.triagerouter.analysis.simulation;

import java.util.List;

/**
 * Everything a simulation run depends on. Replication r draws its arrivals (when synthetic), AI flags and
 * reading times from a generator seeded with ({@code seed}, r), so the same settings give the same result.
 */
public record SimulationSettings(
        ArrivalSource arrivals,
        AiFlagger ai,
        ReadingTimes readingTimes,
        int radiologists,
        List<WorklistPolicy> policies,
        int replications,
        long seed) {

    public SimulationSettings {
        policies = List.copyOf(policies);
        if (arrivals == null || ai == null || readingTimes == null) throw new IllegalArgumentException("arrivals, AI and reading times are required");
        if (radiologists < 1) throw new IllegalArgumentException("at least one radiologist is required, not " + radiologists);
        if (policies.isEmpty()) throw new IllegalArgumentException("at least one worklist policy is required");
        if (policies.stream().distinct().count() != policies.size()) throw new IllegalArgumentException("a worklist policy is listed twice");
        if (replications < 1) throw new IllegalArgumentException("at least one replication is required, not " + replications);
    }
}
