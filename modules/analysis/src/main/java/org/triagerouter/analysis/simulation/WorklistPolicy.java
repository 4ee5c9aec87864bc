package org.triagerouter.analysis.simulation;

import java.util.List;
import java.util.Locale;

/** The order in which a free radiologist takes the next study from the worklist. Reading is never interrupted. */
public sealed interface WorklistPolicy {

    /** A short name for tables and charts. */
    String label();

    /** First in, first out: the AI is ignored. */
    record Fifo() implements WorklistPolicy {
        @Override public String label() { return "FIFO"; }
    }

    /** Every flagged study before any unflagged one; first in, first out within each group. */
    record Prioritised() implements WorklistPolicy {
        @Override public String label() { return "AI-prioritised"; }
    }

    /**
     * As {@link Prioritised}, except that a study which has waited {@code capSeconds} or longer goes
     * first (the longest-waiting such study first), so unflagged studies cannot starve. The cap is not
     * a hard limit on waiting: an overdue study still waits for a radiologist to finish the current
     * reading and for older overdue studies.
     */
    record PrioritisedWithWaitCap(double capSeconds) implements WorklistPolicy {
        public PrioritisedWithWaitCap {
            if (!(capSeconds >= 0) || Double.isInfinite(capSeconds)) throw new IllegalArgumentException("wait cap must be >= 0 seconds, not " + capSeconds);
        }

        @Override public String label() {
            double minutes = capSeconds / 60;
            return "AI-prioritised, cap " + (minutes == Math.rint(minutes)
                    ? String.valueOf((long) minutes) : String.format(Locale.ROOT, "%.1f", minutes)) + " min";
        }
    }

    /** FIFO, AI-prioritised, and AI-prioritised with the given wait cap: the comparison the simulate command runs. */
    static List<WorklistPolicy> standardSet(double waitCapSeconds) {
        return List.of(new Fifo(), new Prioritised(), new PrioritisedWithWaitCap(waitCapSeconds));
    }
}
