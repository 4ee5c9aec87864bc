package org.triagerouter.analysis.simulation;

import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;

/** Where a replication's studies come from: generated ({@link PoissonArrivals}) or replayed ({@link RecordedArrivals}). */
public sealed interface ArrivalSource permits PoissonArrivals, RecordedArrivals {

    /** The studies of one replication, sorted by arrival time; a replayed source ignores {@code random}. */
    List<StudyArrival> arrivals(RandomGenerator random);

    /** One line for reports, e.g. {@code Poisson, 500 studies/day, ...}. */
    String description();
}
