package org.triagerouter.store;

import java.time.Duration;
import java.util.Properties;

/**
 * Where PostgreSQL is and how the pool talks to it.
 *
 * @param connectionTimeout        how long a caller waits for a connection before failing: short, so that a
 *                                 database outage turns into a prompt 0xA700 rather than a stalled C-STORE
 * @param idleInTransactionTimeout how long PostgreSQL lets a session sit idle inside a transaction before it ends
 *                                 the session: a frozen or unplugged router must not hold its locks for hours
 *                                 (zero: never)
 * @param statementTimeout         how long PostgreSQL lets one statement run before it cancels it; the client's
 *                                 socket waits {@link #SOCKET_GRACE} longer, so the server gives up first
 * @param node                     this router's node name, shown in {@code pg_stat_activity}; null when the
 *                                 process is not a node (a command-line tool)
 */
public record DatabaseSettings(String url, String user, String password, int maxPoolSize, Duration connectionTimeout,
                               Duration idleInTransactionTimeout, Duration statementTimeout, String node) {
    public static final Duration DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(15);
    /** Below the historical 30 s socket timeout: the server cancels a slow statement and the connection stays usable. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(25);
    /** How much longer the client waits on its socket than the server lets a statement run. */
    public static final Duration SOCKET_GRACE = Duration.ofSeconds(5);

    public DatabaseSettings {
        if (idleInTransactionTimeout.isNegative()) throw new IllegalArgumentException("idle-in-transaction timeout must not be negative");
        if (statementTimeout.isNegative() || statementTimeout.isZero()) throw new IllegalArgumentException("statement timeout must be positive");
    }

    public DatabaseSettings(String url, String user, String password, int maxPoolSize, Duration connectionTimeout) {
        this(url, user, password, maxPoolSize, connectionTimeout, DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, null);
    }

    /** The same settings for the router named {@code node}. */
    public DatabaseSettings forNode(String node) {
        return new DatabaseSettings(url, user, password, maxPoolSize, connectionTimeout, idleInTransactionTimeout, statementTimeout, node);
    }

    /** Seconds the client waits on a socket read: longer than a statement may run, so a timeout means a dead server. */
    public int socketTimeoutSeconds() {
        return (int) Math.min(Integer.MAX_VALUE, statementTimeout.plus(SOCKET_GRACE).toSeconds());
    }

    /** What pgjdbc gets for every connection, pooled or not (user and password apart). */
    public Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("ApplicationName", node == null || node.isEmpty() ? "triage-router" : "triage-router " + node);
        // A peer that vanished without a FIN (power cut, partition) is eventually noticed even on an idle connection.
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds()));
        p.setProperty("connectTimeout", String.valueOf(Math.max(1, connectionTimeout.toSeconds())));
        // Session settings applied by the server at connect, before any statement: nothing can run without them.
        p.setProperty("options", "-c idle_in_transaction_session_timeout=" + idleInTransactionTimeout.toMillis()
                + " -c statement_timeout=" + statementTimeout.toMillis());
        return p;
    }
}
