package org.triagerouter.analysis.simulation;

/**
 * A finished simulation: the settings, the pooled turnaround of every policy, and how busy the room was.
 *
 * @param studiesPerReplication mean number of studies in one replication
 * @param offeredLoad           total reading time ÷ (radiologists × time from first to last arrival), averaged
 *                              over replications: near or above 1 the worklist grows without bound under every
 *                              policy, and the comparison says more about the backlog than about the AI
 */
public record SimulationResult(SimulationSettings settings, TurnaroundSummary summary, double studiesPerReplication, double offeredLoad) {}
