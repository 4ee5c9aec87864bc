package org.triagerouter.app.bench.soak;

import java.util.Map;

/**
 * One reading of the router and its surroundings during a soak run.
 *
 * @param seconds since the sender started
 * @param phase warmup, steady (the slope test's window) or drain (sending has stopped)
 * @param rssBytes the router's resident set (VmRSS)
 * @param heapUsedBytes the router's Java heap in use, from its /metrics (-1 when unreadable): a sawtooth whose troughs a heap leak would raise
 * @param nonHeapUsedBytes metaspace, code cache and the like, from its /metrics (-1 when unreadable)
 * @param threads the router's threads
 * @param fds the router's open file descriptors
 * @param databaseBytes {@code pg_database_size} of the router's database
 * @param spoolBytes the spool folder's apparent size, as {@code du -sb} counts it (files and folders)
 * @param spoolFiles instances ({@code .dcm} files) under the spool
 * @param spoolDirs folders under the spool, itself excluded
 * @param backlog jobs queued or running, per job kind
 * @param studiesSent studies whose every instance was stored (success)
 * @param studiesFailed studies with a failed association or C-STORE
 * @param studiesDelivered sent studies whose SR is at the destination
 * @param studyRows rows of the study table
 * @param imageRows rows of the canonical_image table
 * @param jobRows rows of the job table
 */
public record Sample(double seconds, String phase, long rssBytes, long heapUsedBytes, long nonHeapUsedBytes, int threads, int fds, long databaseBytes, long spoolBytes,
                     int spoolFiles, int spoolDirs, Map<String, Integer> backlog, int studiesSent, int studiesFailed,
                     int studiesDelivered, long studyRows, long imageRows, long jobRows) {

    public int backlogTotal() { return backlog.values().stream().mapToInt(Integer::intValue).sum(); }
}
