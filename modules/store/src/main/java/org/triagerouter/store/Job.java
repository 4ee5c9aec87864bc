package org.triagerouter.store;

import java.time.Instant;

/** A claimed job: what to do ({@code kind}), about what ({@code subject}), which attempt this is, and since when it was queued. */
public record Job(long id, JobKind kind, String subject, int priority, int attempts, int maxAttempts, Instant createdAt) {}
