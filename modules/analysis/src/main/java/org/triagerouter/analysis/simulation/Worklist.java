package org.triagerouter.analysis.simulation;

/**
 * The studies waiting to be read, ordered by a {@link WorklistPolicy}. Studies are indices into the
 * replication's arrays, in arrival order. Every operation is amortised O(1): the wait-cap policy keeps
 * one queue of all waiting studies beside the flagged and unflagged queues, and skips studies already
 * taken from another queue when they reach a queue's head (lazy removal).
 */
final class Worklist {
    private final double[] arrivalSeconds;
    private final boolean[] flagged;
    private final boolean[] taken;
    private final boolean flaggedFirst;
    private final double waitCapSeconds;
    private final IntQueue all = new IntQueue();
    private final IntQueue flaggedQueue = new IntQueue();
    private final IntQueue unflaggedQueue = new IntQueue();
    private int waiting;

    Worklist(WorklistPolicy policy, double[] arrivalSeconds, boolean[] flagged) {
        this.arrivalSeconds = arrivalSeconds;
        this.flagged = flagged;
        this.taken = new boolean[arrivalSeconds.length];
        this.flaggedFirst = !(policy instanceof WorklistPolicy.Fifo);
        this.waitCapSeconds = policy instanceof WorklistPolicy.PrioritisedWithWaitCap cap ? cap.capSeconds() : Double.POSITIVE_INFINITY;
    }

    void add(int study) {
        if (!flaggedFirst || usesWaitCap()) all.add(study);
        if (flaggedFirst) (flagged[study] ? flaggedQueue : unflaggedQueue).add(study);
        waiting++;
    }

    boolean isEmpty() {
        return waiting == 0;
    }

    /** Removes and returns the study a radiologist who is free at {@code nowSeconds} reads next. */
    int take(double nowSeconds) {
        if (waiting == 0) throw new IllegalStateException("worklist is empty");
        int study;
        if (!flaggedFirst) {
            study = all.poll();
        } else if (usesWaitCap() && nowSeconds - arrivalSeconds[oldestLive(all)] >= waitCapSeconds) {
            study = all.poll();
        } else if (oldestLive(flaggedQueue) >= 0) {
            study = flaggedQueue.poll();
        } else {
            study = oldestLive(unflaggedQueue);
            unflaggedQueue.poll();
        }
        taken[study] = true;
        waiting--;
        return study;
    }

    private boolean usesWaitCap() {
        return waitCapSeconds != Double.POSITIVE_INFINITY;
    }

    /** The queue's oldest study not yet taken, dropping taken ones from its head; -1 when none is left. */
    private int oldestLive(IntQueue queue) {
        while (!queue.isEmpty() && taken[queue.peek()]) queue.poll();
        return queue.isEmpty() ? -1 : queue.peek();
    }
}
