package org.triagerouter.dicom.net;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * TLS when the router calls a peer (PS3.15 B.12 BCP 195 profile, see {@link Bcp195Profile}).
 *
 * @param trustStore certificates or CAs the peer's certificate must chain to; required, since the JDK's public CAs
 *                   would vouch for any publicly issued certificate
 * @param keyStore our client certificate and key, for peers that require one; null for none
 * @param verifyHostname the peer's certificate must name the host or IP address we connect to (subject alternative
 *                       name); turn off only for peers whose certificates cannot be fixed, and say so in the log
 */
public record ClientTlsSettings(Path trustStore, String trustStorePassword, Path keyStore, String keyStorePassword,
                                boolean verifyHostname) {

    public ClientTlsSettings {
        if (trustStore == null) {
            throw new IllegalArgumentException("TLS to a peer needs a trust store holding the peer's certificate or CA");
        }
    }

    /** Server authentication only, host name verified. */
    public static ClientTlsSettings trusting(Path trustStore, String trustStorePassword) {
        return new ClientTlsSettings(trustStore, trustStorePassword, null, null, true);
    }

    public ClientTlsSettings withClientCertificate(Path keyStore, String keyStorePassword) {
        return new ClientTlsSettings(trustStore, trustStorePassword, keyStore, keyStorePassword, verifyHostname);
    }

    public ClientTlsSettings withVerifyHostname(boolean verify) {
        return new ClientTlsSettings(trustStore, trustStorePassword, keyStore, keyStorePassword, verify);
    }

    /** Opens the stores now, so that a wrong path or password shows when the router starts rather than at its first call. */
    public void open() throws IOException {
        context();
    }

    SSLContext context() throws IOException {
        try {
            return Bcp195Profile.context(keyStore == null ? null : new KeyStoreFile(keyStore, keyStorePassword).keyManagers(),
                    new KeyStoreFile(trustStore, trustStorePassword).trustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
    }

    SSLParameters parameters(SSLContext context) throws IOException {
        SSLParameters parameters = Bcp195Profile.parameters(context);
        // "HTTPS" is RFC 2818 / RFC 6125 matching: DNS names against dNSName SANs, IP literals against iPAddress SANs.
        parameters.setEndpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
        return parameters;
    }

    @Override
    public String toString() {
        return "TLS (trust " + trustStore + (keyStore == null ? "" : ", client certificate " + keyStore)
                + (verifyHostname ? "" : ", host name NOT verified") + ")";
    }
}
