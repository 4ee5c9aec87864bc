package org.triagerouter.dicom.net;

import java.util.List;
import java.util.Set;

/**
 * What one known sender (by calling AE title) may do. A sender bound to hosts is rejected when it
 * connects from any other address (A-ASSOCIATE-RJ, calling AE title not recognized).
 *
 * @param hosts empty: any host
 * @param sopClasses the storage SOP classes it may send, private ones included; empty: the router's defaults
 *                   (every standard storage SOP class and the extra ones). Verification is always accepted.
 * @param transferSyntaxes accepted for its storage contexts; empty: the router's
 */
public record SenderProfile(String aeTitle, List<HostPattern> hosts, Set<String> sopClasses, List<String> transferSyntaxes) {
    public SenderProfile {
        String problem = AeTitleCheck.problem(aeTitle);
        if (problem != null) throw new IllegalArgumentException("sender AE title " + AeTitleCheck.printable(aeTitle) + ": " + problem);
        hosts = List.copyOf(hosts);
        sopClasses = Set.copyOf(sopClasses);
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    /** True when this sender may connect from {@code remote}. */
    public boolean admits(java.net.InetAddress remote) {
        if (hosts.isEmpty()) return true;
        for (HostPattern host : hosts) if (host.matches(remote)) return true;
        return false;
    }
}
