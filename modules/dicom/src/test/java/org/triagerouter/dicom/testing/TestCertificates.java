package org.triagerouter.dicom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test PKI made with openssl at test time: a CA, certificates it issues (PEM for dcmtk, PKCS#12 for Java) and a
 * PKCS#12 trust store holding the CA. RSA keys, since dcmtk's BCP 195 profiles offer RSA-signed TLS 1.2 suites only.
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";

    private final Path directory;
    private final Path caKey;
    private final Path caCertificate;

    /** One certificate with its key: PEM files and the same as a PKCS#12 key store (password {@link #PASSWORD}). */
    public record Issued(String name, Path key, Path certificate, Path keyStore) {}

    private TestCertificates(Path directory, String caName) {
        this.directory = directory;
        this.caKey = directory.resolve(caName + "-ca.key");
        this.caCertificate = directory.resolve(caName + "-ca.crt");
    }

    /** A new CA named {@code caName}, its files in {@code directory}. */
    public static TestCertificates authority(Path directory, String caName) throws IOException, InterruptedException {
        TestCertificates ca = new TestCertificates(Files.createDirectories(directory), caName);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.caKey.toString(), "-out", ca.caCertificate.toString(),
                "-days", "2", "-subj", "/CN=" + caName + " test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    public Path caCertificate() { return caCertificate; }

    /** A PKCS#12 trust store holding only this CA's certificate. */
    public Path trustStore() throws IOException, InterruptedException {
        Path store = directory.resolve(caCertificate.getFileName() + ".trust.p12");
        if (!Files.exists(store)) {
            ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(60), List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                    "-alias", "ca", "-file", caCertificate.toString(), "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", PASSWORD));
            if (result.exitCode() != 0) throw new IOException("keytool failed: " + result.output());
        }
        return store;
    }

    /**
     * A certificate for subject CN {@code commonName}, valid for client and server authentication, with the given
     * subject alternative names ("DNS:localhost", "IP:127.0.0.1"; none for a certificate without SAN).
     */
    public Issued issue(String commonName, String... subjectAlternativeNames) throws IOException, InterruptedException {
        String name = commonName.replaceAll("[^A-Za-z0-9]", "_");
        Path key = directory.resolve(name + ".key");
        Path request = directory.resolve(name + ".csr");
        Path certificate = directory.resolve(name + ".crt");
        Path extensions = directory.resolve(name + ".ext");
        StringBuilder ext = new StringBuilder("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n");
        if (subjectAlternativeNames.length > 0) ext.append("subjectAltName=").append(String.join(",", subjectAlternativeNames)).append('\n');
        Files.writeString(extensions, ext);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + commonName);
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
                "-set_serial", String.valueOf(System.nanoTime()), "-days", "2", "-extfile", extensions.toString(), "-out", certificate.toString());
        return new Issued(commonName, key, certificate, keyStore(name, key, certificate));
    }

    /** A self-signed certificate no CA vouches for. */
    public static Issued selfSigned(Path directory, String commonName, String... subjectAlternativeNames) throws IOException, InterruptedException {
        String name = commonName.replaceAll("[^A-Za-z0-9]", "_") + "-self";
        Path key = directory.resolve(name + ".key");
        Path certificate = directory.resolve(name + ".crt");
        List<String> command = new ArrayList<>(List.of("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", certificate.toString(), "-days", "2", "-subj", "/CN=" + commonName));
        if (subjectAlternativeNames.length > 0) command.addAll(List.of("-addext", "subjectAltName=" + String.join(",", subjectAlternativeNames)));
        openssl(command.toArray(String[]::new));
        return new Issued(commonName, key, certificate, keyStore(name, key, certificate));
    }

    private static Path keyStore(String name, Path key, Path certificate) throws IOException, InterruptedException {
        Path store = key.resolveSibling(name + ".p12");
        openssl("pkcs12", "-export", "-inkey", key.toString(), "-in", certificate.toString(), "-name", name,
                "-out", store.toString(), "-passout", "pass:" + PASSWORD);
        return store;
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(60), command);
        if (result.exitCode() != 0) throw new IOException(String.join(" ", command) + " failed: " + result.output());
    }
}
