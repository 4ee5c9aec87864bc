package org.triagerouter.dicom.net;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** A PKCS#12 (or JKS) file with its password: our own key and certificate, or the certificates we trust. */
record KeyStoreFile(Path path, String password) {

    KeyManager[] keyManagers() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(), chars());
        return kmf.getKeyManagers();
    }

    TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load());
        return tmf.getTrustManagers();
    }

    private KeyStore load() throws IOException, GeneralSecurityException {
        return KeyStore.getInstance(path.toFile(), chars()); // PKCS#12 or JKS, told apart by content
    }

    private char[] chars() { return password == null ? null : password.toCharArray(); }
}
