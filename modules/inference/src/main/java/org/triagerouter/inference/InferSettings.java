package org.triagerouter.inference;

import java.time.Duration;

/**
 * @param batchSize     images per session run (capped by a model with a fixed batch size)
 * @param maxWait       how long the first claimed image waits for the batch to fill
 * @param pollInterval  the longest an idle worker sleeps when no NOTIFY arrives
 */
public record InferSettings(int batchSize, Duration maxWait, Duration pollInterval, String node) {}
