package org.triagerouter.analysis.simulation;

import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;

/** An AI known by its scores: a study is flagged when its own score is at or above {@code threshold} (the manifest's rule). */
public record ScoreThresholdFlagger(double threshold) implements AiFlagger {

    public ScoreThresholdFlagger {
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("threshold must be a finite number, not " + threshold);
    }

    /** @throws IllegalArgumentException when the study has no score */
    @Override
    public boolean flags(StudyArrival study, RandomGenerator random) {
        if (study.score() == null) {
            throw new IllegalArgumentException("study " + study.id() + " has no AI score, so a score threshold cannot flag it");
        }
        return study.score() >= threshold;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "recorded scores, flagged when score >= %.3f", threshold);
    }
}
