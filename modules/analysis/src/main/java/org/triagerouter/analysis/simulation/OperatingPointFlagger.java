package org.triagerouter.analysis.simulation;

import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * An AI known only by its sensitivity and specificity at an operating point: each truly abnormal study is
 * flagged with probability {@code sensitivity}, each normal one with probability {@code 1 - specificity},
 * independently. The randomness comes from the simulation's seed, so the flagger itself holds none.
 */
public record OperatingPointFlagger(double sensitivity, double specificity) implements AiFlagger {

    public OperatingPointFlagger {
        if (!(sensitivity >= 0 && sensitivity <= 1)) throw new IllegalArgumentException("sensitivity must be within [0, 1], not " + sensitivity);
        if (!(specificity >= 0 && specificity <= 1)) throw new IllegalArgumentException("specificity must be within [0, 1], not " + specificity);
    }

    @Override
    public boolean flags(StudyArrival study, RandomGenerator random) {
        double u = random.nextDouble(); // always drawn, so flags of later studies do not depend on this one's truth
        return study.abnormal() ? u < sensitivity : u >= specificity;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "operating point: sensitivity %.3f, specificity %.3f", sensitivity, specificity);
    }
}
