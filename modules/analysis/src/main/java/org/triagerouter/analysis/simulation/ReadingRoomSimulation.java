package org.triagerouter.analysis.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.ResizableDoubleArray;

/**
 * Runs every worklist policy of the settings on the same simulated studies, replication after
 * replication, and pools the turnarounds. Within a replication the arrivals, the AI's flags and each
 * study's reading time are drawn once and shared by all policies, so differences between policies are
 * paired, not noise.
 */
public final class ReadingRoomSimulation {
    private ReadingRoomSimulation() {}

    public static SimulationResult run(SimulationSettings settings) {
        return run(settings, fractionDone -> {});
    }

    /**
     * @param progress called after each policy run with the fraction of the work done (0 &lt; f ≤ 1), for a
     *                 progress bar on long runs
     */
    public static SimulationResult run(SimulationSettings settings, DoubleConsumer progress) {
        List<WorklistPolicy> policies = settings.policies();
        ResizableDoubleArray[][] pooled = new ResizableDoubleArray[policies.size()][2];
        for (ResizableDoubleArray[] perPolicy : pooled) {
            perPolicy[0] = new ResizableDoubleArray();
            perPolicy[1] = new ResizableDoubleArray();
        }
        ReadingRoom room = new ReadingRoom(settings.radiologists());
        double studies = 0;
        double load = 0;
        int steps = settings.replications() * policies.size();
        int done = 0;
        for (int replication = 0; replication < settings.replications(); replication++) {
            List<SimulatedStudy> replicationStudies = studiesOfReplication(settings, replication);
            studies += replicationStudies.size();
            load += offeredLoad(replicationStudies, settings.radiologists());
            for (int p = 0; p < policies.size(); p++) {
                ReadingRoomRun run = room.run(replicationStudies, policies.get(p));
                for (int i = 0; i < replicationStudies.size(); i++) {
                    pooled[p][replicationStudies.get(i).abnormal() ? 1 : 0].addElement(run.turnaroundSeconds(i));
                }
                progress.accept((double) ++done / steps);
            }
        }
        List<PolicyOutcome> outcomes = new ArrayList<>();
        for (int p = 0; p < policies.size(); p++) {
            outcomes.add(new PolicyOutcome(policies.get(p),
                    TurnaroundStatistics.of(pooled[p][1].getElements()), TurnaroundStatistics.of(pooled[p][0].getElements())));
            pooled[p] = null; // a year of replications is tens of MB per policy: let it go as soon as it is summarised
        }
        return new SimulationResult(settings, new TurnaroundSummary(outcomes),
                studies / settings.replications(), load / settings.replications());
    }

    /** The studies of one replication with their AI flags and reading times, as every policy will see them. */
    public static List<SimulatedStudy> studiesOfReplication(SimulationSettings settings, int replication) {
        RandomGenerator random = new Well19937c(new int[] {(int) settings.seed(), (int) (settings.seed() >>> 32), replication});
        List<StudyArrival> arrivals = settings.arrivals().arrivals(random);
        DoubleSupplier normalReading = settings.readingTimes().normal().sampler(random);
        DoubleSupplier abnormalReading = settings.readingTimes().abnormal().sampler(random);
        List<SimulatedStudy> studies = new ArrayList<>(arrivals.size());
        for (StudyArrival arrival : arrivals) {
            boolean flagged = settings.ai().flags(arrival, random);
            double reading = (arrival.abnormal() ? abnormalReading : normalReading).getAsDouble();
            studies.add(new SimulatedStudy(arrival.id(), arrival.arrivalSeconds(), arrival.abnormal(), flagged, reading));
        }
        return studies;
    }

    private static double offeredLoad(List<SimulatedStudy> studies, int radiologists) {
        if (studies.size() < 2) return Double.NaN;
        double span = studies.get(studies.size() - 1).arrivalSeconds() - studies.get(0).arrivalSeconds();
        double reading = 0;
        for (SimulatedStudy study : studies) reading += study.readingSeconds();
        return span > 0 ? reading / (radiologists * span) : Double.NaN;
    }
}
