package org.triagerouter.analysis.simulation;

import java.util.List;

/**
 * The outcome of every policy, with changes measured against a baseline: the FIFO policy when it was
 * simulated (a reading room without AI), else the first policy.
 */
public record TurnaroundSummary(List<PolicyOutcome> outcomes) {

    public TurnaroundSummary {
        outcomes = List.copyOf(outcomes);
        if (outcomes.isEmpty()) throw new IllegalArgumentException("a summary needs at least one policy");
    }

    public PolicyOutcome baseline() {
        return outcomes.stream().filter(o -> o.policy() instanceof WorklistPolicy.Fifo).findFirst().orElse(outcomes.get(0));
    }

    public PolicyOutcome outcome(WorklistPolicy policy) {
        return outcomes.stream().filter(o -> o.policy().equals(policy)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("policy not simulated: " + policy.label()));
    }

    /** How much faster (negative) or slower than the baseline the policy turned around abnormal or normal studies. */
    public TurnaroundStatistics.PercentChange changeFromBaseline(PolicyOutcome outcome, boolean abnormalStudies) {
        return outcome.of(abnormalStudies).percentChangeFrom(baseline().of(abnormalStudies));
    }
}
