package org.triagerouter.web;

/** The HTTP side's settings: where it listens, who may use it, and whether patient identifiers may be shown. */
public record WebSettings(String bind, int port, Access access, boolean showPhi, String aeTitle, int dicomPort) {

    /** Loopback-only listeners may run without credentials; anything reachable from the network may not. */
    public boolean isLoopback() {
        return bind.equals("127.0.0.1") || bind.equals("::1") || bind.equals("localhost") || bind.startsWith("127.");
    }
}
