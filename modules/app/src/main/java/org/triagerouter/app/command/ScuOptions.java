package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.ClientTlsSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;
import picocli.CommandLine.Option;

/**
 * Options shared by the SCU commands; the configuration file supplies their defaults. TLS is the peer's own, as for a
 * destination: the listener's dicom.tls settings do not apply to calls the router makes.
 */
public final class ScuOptions {
    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Option(names = {"--calling-ae", "-aet"}, description = "calling AE title (default: the router's own AE title)")
    String callingAe;

    @Option(names = "--timeout", description = "seconds to wait for any answer (default: dicom.dimseTimeoutSeconds)")
    Integer timeoutSeconds;

    @Option(names = "--tls", description = "call the peer over TLS (needs --trust-store)")
    boolean tls;

    @Option(names = "--trust-store", paramLabel = "P12", description = "PKCS#12 trust store with the peer's certificate or CA")
    Path trustStore;

    @Option(names = "--trust-store-password", paramLabel = "PASSWORD", description = "password of the trust store")
    String trustStorePassword;

    @Option(names = "--key-store", paramLabel = "P12", description = "PKCS#12 key store with a client certificate, for a peer that asks for one")
    Path keyStore;

    @Option(names = "--key-store-password", paramLabel = "PASSWORD", description = "password of the key store")
    String keyStorePassword;

    @Option(names = "--no-verify-hostname", description = "with --tls, accept a certificate that does not name the host called")
    boolean noVerifyHostname;

    @Option(names = "--transfer-syntax", paramLabel = "PREFERENCE",
            description = "own (each file as it is when accepted, else Explicit, else Implicit VR Little Endian), explicit or implicit (default: own)")
    String transferSyntax;

    ClientSettings clientSettings() throws RouterConfig.ConfigException {
        RouterConfig settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
        String ae = callingAe != null ? callingAe : settings.string(ConfigKey.DICOM_AE_TITLE);
        ClientSettings client = settings.clientSettings(ae);
        if (timeoutSeconds != null) {
            Duration t = Duration.ofSeconds(timeoutSeconds);
            client = new ClientSettings(ae, t, t, t, client.maxPduLength(), null);
        }
        if (!tls && (trustStore != null || keyStore != null || noVerifyHostname)) {
            throw new RouterConfig.ConfigException("--trust-store, --key-store and --no-verify-hostname apply only with --tls");
        }
        if (tls) {
            if (trustStore == null) throw new RouterConfig.ConfigException("--tls needs --trust-store (the peer's certificate or its CA)");
            for (Path p : new Path[] {trustStore, keyStore}) {
                if (p != null && !Files.isReadable(p)) throw new RouterConfig.ConfigException(p + " cannot be read");
            }
            client = client.withTls(new ClientTlsSettings(trustStore, trustStorePassword, keyStore, keyStorePassword, !noVerifyHostname));
        }
        if (transferSyntax != null) {
            try {
                client = client.withTransferSyntax(TransferSyntaxPreference.parse(transferSyntax));
            } catch (IllegalArgumentException e) {
                throw new RouterConfig.ConfigException("--transfer-syntax: " + e.getMessage());
            }
        }
        return client;
    }
}
