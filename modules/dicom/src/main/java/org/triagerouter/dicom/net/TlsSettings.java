package org.triagerouter.dicom.net;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The listener's TLS (PS3.15 B.12 BCP 195 profile, see {@link Bcp195Profile}). The trust store, when given, is
 * what client certificates are checked against; the JDK's public CAs otherwise.
 *
 * @param requireClientCertificate a caller without a certificate the trust store accepts fails the handshake
 * @param clientCertificateAeTitles when not empty, which certificate may call as which AE title
 */
public record TlsSettings(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
                          boolean requireClientCertificate, ClientCertificateAeTitles clientCertificateAeTitles) {

    public TlsSettings {
        if (clientCertificateAeTitles == null) clientCertificateAeTitles = ClientCertificateAeTitles.NONE;
    }

    public TlsSettings(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
                       boolean requireClientCertificate) {
        this(keyStore, keyStorePassword, trustStore, trustStorePassword, requireClientCertificate, ClientCertificateAeTitles.NONE);
    }

    SSLContext context() throws IOException {
        try {
            return Bcp195Profile.context(keyStore == null ? null : new KeyStoreFile(keyStore, keyStorePassword).keyManagers(),
                    trustStore == null ? null : new KeyStoreFile(trustStore, trustStorePassword).trustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
    }

    SSLParameters parameters(SSLContext context) throws IOException {
        SSLParameters parameters = Bcp195Profile.parameters(context);
        parameters.setUseCipherSuitesOrder(true);
        if (requireClientCertificate) parameters.setNeedClientAuth(true);
        else if (!clientCertificateAeTitles.isEmpty()) parameters.setWantClientAuth(true);
        return parameters;
    }

    @Override
    public String toString() {
        return "TLS (key store " + keyStore + ", trust " + (trustStore == null ? "the JDK's CAs" : trustStore)
                + (requireClientCertificate ? ", client certificate required" : "")
                + (clientCertificateAeTitles.isEmpty() ? "" : ", certificates bound to " + clientCertificateAeTitles.bindings().keySet()) + ")";
    }
}
