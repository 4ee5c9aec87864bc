package org.triagerouter.analysis.simulation;

/**
 * A study entering the reading room: when it arrives, what it truly is, and the AI's score when one is
 * known (recorded runs and score CSVs; null for synthetic arrivals).
 *
 * @param arrivalSeconds seconds from the start of the simulated period
 */
public record StudyArrival(String id, double arrivalSeconds, boolean abnormal, Double score) {
    public StudyArrival {
        if (!Double.isFinite(arrivalSeconds) || arrivalSeconds < 0) {
            throw new IllegalArgumentException("study " + id + ": arrival must be a finite number of seconds >= 0, not " + arrivalSeconds);
        }
        if (score != null && !(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("study " + id + ": score must be within [0, 1], not " + score);
        }
    }
}
