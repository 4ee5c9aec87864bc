package org.triagerouter.store;

import java.time.Duration;

/** Exponential backoff between attempts: base, 2×base, 4×base, ... capped at {@code max}. */
public record RetryPolicy(Duration base, Duration max) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(10), Duration.ofMinutes(10));

    public Duration delayBefore(int nextAttempt) {
        long factor = 1L << Math.min(20, Math.max(0, nextAttempt - 2));
        Duration delay = base.multipliedBy(factor);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
