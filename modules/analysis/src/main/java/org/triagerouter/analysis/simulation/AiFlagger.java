package org.triagerouter.analysis.simulation;

import org.apache.commons.math3.random.RandomGenerator;

/** How the simulated AI decides which studies to flag as abnormal. */
public sealed interface AiFlagger permits OperatingPointFlagger, ScoreThresholdFlagger {

    /** Whether the AI flags this study; {@code random} is the replication's, so a seed reproduces every flag. */
    boolean flags(StudyArrival study, RandomGenerator random);

    /** One line for reports. */
    String description();
}
