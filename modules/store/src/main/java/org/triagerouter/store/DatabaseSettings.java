package org.triagerouter.store;

import java.time.Duration;

/**
 * Where PostgreSQL is and how the pool talks to it.
 *
 * @param connectionTimeout how long a caller waits for a connection before failing: short, so that a
 *                          database outage turns into a prompt 0xA700 rather than a stalled C-STORE
 */
public record DatabaseSettings(String url, String user, String password, int maxPoolSize, Duration connectionTimeout) {}
