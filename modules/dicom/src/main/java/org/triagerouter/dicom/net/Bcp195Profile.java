package org.triagerouter.dicom.net;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * The TLS profile both the listener and the SCU use: PS3.15 B.12 (BCP 195 RFC 8996, 9325 TLS Secure Transport
 * Connection Profile), which also meets the earlier non-downgrading profile (B.10). TLS 1.3 and 1.2 only; TLS 1.2
 * limited to ephemeral ECDH key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305): no static RSA, no CBC,
 * no SHA-1. Set explicitly rather than left to {@code jdk.tls.disabledAlgorithms}, which a site may loosen.
 */
final class Bcp195Profile {
    private Bcp195Profile() {}

    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** In our order of preference; the listener enforces it. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Handshake signatures: SHA-2 and EdDSA only (RFC 9325 4.3 forbids SHA-1 there). */
    static final List<String> SIGNATURE_SCHEMES = List.of(
            "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed25519", "ed448",
            "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
            "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512");

    static SSLContext context(KeyManager[] keys, TrustManager[] trust) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
    }

    /** The profile's protocols, suites and signature schemes, of those this JDK supports. */
    static SSLParameters parameters(SSLContext context) throws IOException {
        SSLParameters parameters = context.getDefaultSSLParameters();
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
        String[] suites = CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
        if (suites.length == 0) throw new IOException("this JDK supports none of the BCP 195 cipher suites " + CIPHER_SUITES);
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setCipherSuites(suites);
        parameters.setSignatureSchemes(SIGNATURE_SCHEMES.toArray(String[]::new));
        return parameters;
    }
}
