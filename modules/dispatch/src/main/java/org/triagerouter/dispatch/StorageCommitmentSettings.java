package org.triagerouter.dispatch;

import java.time.Duration;

/**
 * How long a destination has to commit to what it was sent, and how long the association that carried the N-ACTION
 * stays open for a result on it (a PACS that reports on a new association is then answered by the listener).
 */
public record StorageCommitmentSettings(Duration timeout, Duration sameAssociationWait) {
    public static StorageCommitmentSettings defaults() {
        return new StorageCommitmentSettings(Duration.ofMinutes(60), Duration.ofSeconds(5));
    }
}
