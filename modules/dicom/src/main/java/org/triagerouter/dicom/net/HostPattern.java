package org.triagerouter.dicom.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One entry of a sender's host binding: an IP address, a network in CIDR notation, or a host name.
 * A host name is resolved when a sender connects (the JVM's DNS cache applies), never by reverse lookup,
 * which the sender's own DNS could answer.
 */
public record HostPattern(String text, byte[] network, int prefixLength, String hostName) {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

    /** Parses {@code 10.1.2.3}, {@code 10.1.2.0/24}, {@code fd00::/8}, {@code ::1} or {@code cr1.hospital.local}. */
    public static HostPattern parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("empty host");
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
        boolean literal = IPV4.matcher(address).matches() || address.contains(":");
        if (!literal) {
            if (slash >= 0) throw new IllegalArgumentException("'" + t + "': a prefix length needs an IP address");
            if (!HOST_NAME.matcher(t).matches() || t.length() > 253) throw new IllegalArgumentException("'" + t + "' is neither an IP address, a CIDR network nor a host name");
            return new HostPattern(t, null, -1, t);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress(); // a literal: no DNS lookup
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("'" + t + "' is not a valid IP address");
        }
        if (IPV4.matcher(address).matches()) {
            for (String part : address.split("\\.")) {
                if (Integer.parseInt(part) > 255) throw new IllegalArgumentException("'" + t + "' is not a valid IP address");
            }
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "': prefix length is not a number");
            }
            if (prefix < 0 || prefix > bytes.length * 8) throw new IllegalArgumentException("'" + t + "': prefix length out of range");
        }
        return new HostPattern(t, bytes, prefix, null);
    }

    /** True when {@code remote} is this address, lies in this network, or is one of this host name's addresses. */
    public boolean matches(InetAddress remote) {
        if (hostName != null) {
            try {
                for (InetAddress a : InetAddress.getAllByName(hostName)) {
                    if (java.util.Arrays.equals(a.getAddress(), remote.getAddress())) return true;
                }
            } catch (UnknownHostException e) {
                return false; // a name that does not resolve admits no one
            }
            return false;
        }
        byte[] r = remote.getAddress();
        if (r.length != network.length) return false;
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) if (r[i] != network[i]) return false;
        int rest = prefixLength % 8;
        if (rest == 0) return true;
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (r[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() { return text; }

    @Override
    public boolean equals(Object o) { return o instanceof HostPattern h && h.text.equals(text); }

    @Override
    public int hashCode() { return text.hashCode(); }
}
