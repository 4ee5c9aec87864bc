package org.triagerouter.analysis.simulation;

import java.util.List;
import java.util.PriorityQueue;

/**
 * A reading room of {@code radiologists} interchangeable radiologists working one shared worklist,
 * simulated event by event. Radiologists are always available (no shifts, breaks or nights: working
 * hours are out of scope), never interrupt a reading, and take the next study the moment they are free.
 * All events at the same instant (arrivals and finished readings) are applied before anyone picks the
 * next study, so studies arriving together compete on equal terms.
 */
public final class ReadingRoom {
    private final int radiologists;

    public ReadingRoom(int radiologists) {
        if (radiologists < 1) throw new IllegalArgumentException("a reading room needs at least one radiologist, not " + radiologists);
        this.radiologists = radiologists;
    }

    public int radiologists() {
        return radiologists;
    }

    /**
     * Runs the worklist policy over the studies, which must be sorted by arrival time (ties are read in
     * list order under FIFO).
     */
    public ReadingRoomRun run(List<SimulatedStudy> studies, WorklistPolicy policy) {
        int n = studies.size();
        double[] arrival = new double[n];
        double[] reading = new double[n];
        boolean[] flagged = new boolean[n];
        for (int i = 0; i < n; i++) {
            SimulatedStudy study = studies.get(i);
            arrival[i] = study.arrivalSeconds();
            if (i > 0 && arrival[i] < arrival[i - 1]) {
                throw new IllegalArgumentException("studies must be sorted by arrival: " + study.id() + " arrives before " + studies.get(i - 1).id());
            }
            reading[i] = study.readingSeconds();
            flagged[i] = study.flagged();
        }
        return new ReadingRoomRun(studies, policy, startTimes(arrival, reading, flagged, policy));
    }

    private double[] startTimes(double[] arrival, double[] reading, boolean[] flagged, WorklistPolicy policy) {
        int n = arrival.length;
        double[] start = new double[n];
        Worklist worklist = new Worklist(policy, arrival, flagged);
        PriorityQueue<Double> readingsEnd = new PriorityQueue<>(radiologists);
        int free = radiologists;
        int next = 0;
        while (next < n || !worklist.isEmpty()) {
            double now = Math.min(next < n ? arrival[next] : Double.POSITIVE_INFINITY,
                    readingsEnd.isEmpty() ? Double.POSITIVE_INFINITY : readingsEnd.peek());
            while (next < n && arrival[next] <= now) worklist.add(next++);
            while (!readingsEnd.isEmpty() && readingsEnd.peek() <= now) {
                readingsEnd.poll();
                free++;
            }
            while (free > 0 && !worklist.isEmpty()) {
                int study = worklist.take(now);
                start[study] = now;
                readingsEnd.add(now + reading[study]);
                free--;
            }
        }
        return start;
    }
}
