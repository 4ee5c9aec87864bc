package org.triagerouter.analysis.evaluation;

/** The AI's score for one study with its ground truth. */
public record LabelledScore(String id, double score, boolean abnormal) {
    public LabelledScore {
        if (!Double.isFinite(score)) throw new IllegalArgumentException("study " + id + ": score must be a finite number, not " + score);
    }
}
