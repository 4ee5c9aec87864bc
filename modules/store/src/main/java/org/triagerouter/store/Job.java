package org.triagerouter.store;

/** A claimed job: what to do ({@code kind}), about what ({@code subject}), and which attempt this is. */
public record Job(long id, String kind, String subject, int priority, int attempts, int maxAttempts) {}
