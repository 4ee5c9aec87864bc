package org.triagerouter.dicom.net;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * Which client certificate may call as which AE title: each calling AE title bound to certificate subject CNs or
 * SHA-256 fingerprints. Once any binding exists, a caller is accepted only under an AE title bound to the
 * certificate it presented; otherwise the association is rejected (calling AE title not recognized).
 *
 * @param bindings calling AE title to its certificates, each {@code cn:<common name>} or {@code sha256:<lower-case hex>}
 */
public record ClientCertificateAeTitles(Map<String, Set<String>> bindings) {
    public static final ClientCertificateAeTitles NONE = new ClientCertificateAeTitles(Map.of());

    public ClientCertificateAeTitles {
        bindings = Map.copyOf(bindings);
    }

    /**
     * Parses {@code AE=common name} or {@code AE=sha256:fingerprint} entries (fingerprint in hex, colons allowed);
     * an AE title may appear more than once, e.g. while a certificate is being replaced.
     */
    public static ClientCertificateAeTitles parse(List<String> entries) {
        Map<String, Set<String>> bindings = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String ae = eq < 0 ? "" : entry.substring(0, eq).trim();
            String value = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (ae.isEmpty() || ae.length() > 16 || value.isEmpty()) {
                throw new IllegalArgumentException("'" + entry + "' is not AE=common name or AE=sha256:fingerprint");
            }
            bindings.computeIfAbsent(ae, k -> new LinkedHashSet<>()).add(normalise(entry, value));
        }
        return new ClientCertificateAeTitles(bindings);
    }

    private static String normalise(String entry, String value) {
        if (!value.regionMatches(true, 0, "sha256:", 0, 7)) return "cn:" + value;
        String hex = value.substring(7).replace(":", "").toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("'" + entry + "': a SHA-256 fingerprint has 64 hex digits");
        return "sha256:" + hex;
    }

    public boolean isEmpty() { return bindings.isEmpty(); }

    /** Null when the caller on {@code socket} may call as {@code callingAeTitle}; else the reason it may not. */
    String refusal(String callingAeTitle, Socket socket) {
        if (bindings.isEmpty()) return null;
        if (!(socket instanceof SSLSocket ssl)) return "client certificates are bound to AE titles but the connection is not TLS";
        X509Certificate certificate;
        try {
            Certificate[] chain = ssl.getSession().getPeerCertificates();
            certificate = (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException e) {
            return "calling AE title '" + callingAeTitle + "' presented no client certificate";
        }
        String cn = commonName(certificate);
        String fingerprint = fingerprint(certificate);
        Set<String> allowed = bindings.get(callingAeTitle);
        if (allowed != null && (allowed.contains("cn:" + cn) || allowed.contains("sha256:" + fingerprint))) return null;
        return "certificate CN=" + cn + " (SHA-256 " + fingerprint + ") is not bound to calling AE title '" + callingAeTitle + "'";
    }

    static String commonName(X509Certificate certificate) {
        try {
            List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
            // LdapName lists RDNs right to left: the most specific CN comes last.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) return String.valueOf(rdns.get(i).getValue());
            }
        } catch (InvalidNameException e) {
            // Fall through: a subject we cannot parse has no usable CN.
        }
        return "";
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
