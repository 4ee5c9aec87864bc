package org.triagerouter.analysis.evaluation;

/** A threshold with a name, e.g. a manifest's operating point {@code sensitive: 0.3}. */
public record NamedThreshold(String name, double threshold) {
    public NamedThreshold {
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("threshold " + name + " must be a finite number, not " + threshold);
    }
}
