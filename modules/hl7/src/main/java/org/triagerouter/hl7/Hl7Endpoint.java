package org.triagerouter.hl7;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where an HL7 peer (a RIS, an interface engine) listens for MLLP, and how long to wait for it.
 *
 * @param trustStore         PKCS#12 trust store for the peer's certificate with TLS; null uses the JDK's
 * @param connectTimeout     for the TCP connection (and the TLS handshake)
 * @param ackTimeout         for each message's acknowledgment; none in time counts as a failure to retry
 */
public record Hl7Endpoint(String host, int port, boolean tls, Path trustStore, String trustStorePassword, Duration connectTimeout,
                          Duration ackTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);

    public Hl7Endpoint {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("an HL7 destination needs a host");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("HL7 port " + port + " is not between 1 and 65535");
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) ackTimeout = DEFAULT_ACK_TIMEOUT;
    }

    public Hl7Endpoint(String host, int port) {
        this(host, port, false, null, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_ACK_TIMEOUT);
    }

    @Override
    public String toString() { return (tls ? "hl7+tls://" : "hl7://") + host + ":" + port; }
}
