package org.triagerouter.analysis.simulation;

/**
 * A study as one replication sees it: its arrival and truth, whether the AI flagged it, and how long
 * its reading takes. The reading time is drawn once per replication and shared by every policy, so the
 * policies are compared on exactly the same work.
 */
public record SimulatedStudy(String id, double arrivalSeconds, boolean abnormal, boolean flagged, double readingSeconds) {
    public SimulatedStudy {
        if (!Double.isFinite(arrivalSeconds) || arrivalSeconds < 0) {
            throw new IllegalArgumentException("study " + id + ": arrival must be a finite number of seconds >= 0");
        }
        if (!Double.isFinite(readingSeconds) || readingSeconds < 0) {
            throw new IllegalArgumentException("study " + id + ": reading time must be a finite number of seconds >= 0");
        }
    }
}
