package org.triagerouter.dicom.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS through JSSE (PS3.15 B.1, BCP 195 profile): TLS 1.3 and 1.2 only, the JDK's default cipher
 * suites. The trust store, when given, is also what client certificates are checked against.
 */
public record TlsSettings(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
                          boolean requireClientCertificate) {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public SSLContext context() throws IOException {
        try {
            KeyManagerFactory kmf = null;
            if (keyStore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keyStore, keyStorePassword), password(keyStorePassword));
            }
            TrustManagerFactory tmf = null;
            if (trustStore != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(trustStore, trustStorePassword));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
    }

    SSLParameters parameters(SSLContext context, boolean server) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        if (server) parameters.setNeedClientAuth(requireClientCertificate);
        else parameters.setEndpointIdentificationAlgorithm(null); // DICOM peers are addressed by IP as often as by name
        return parameters;
    }

    private static KeyStore load(Path path, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password(password));
        }
        return store;
    }

    private static char[] password(String password) { return password == null ? null : password.toCharArray(); }
}
