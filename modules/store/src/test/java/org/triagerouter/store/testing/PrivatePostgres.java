package org.triagerouter.store.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that stops and starts PostgreSQL to play an outage: {@link PostgresExtension} gives it a server of its own
 * ({@link PostgresExtension#privateServer()}) and its database there, since stopping the shared server would break
 * every other test class of the run.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface PrivatePostgres {}
