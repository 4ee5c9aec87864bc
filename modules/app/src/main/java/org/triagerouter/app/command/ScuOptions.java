package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.ConfigKey;
import org.triagerouter.app.config.RouterConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.triagerouter.dicom.net.ClientSettings;
import picocli.CommandLine.Option;

/** Options shared by the SCU commands; the configuration file supplies their defaults. */
public final class ScuOptions {
    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Option(names = {"--calling-ae", "-aet"}, description = "calling AE title (default: the router's own AE title)")
    String callingAe;

    @Option(names = "--timeout", description = "seconds to wait for any answer (default: dicom.dimseTimeoutSeconds)")
    Integer timeoutSeconds;

    ClientSettings clientSettings() throws RouterConfig.ConfigException {
        RouterConfig settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
        String ae = callingAe != null ? callingAe : settings.string(ConfigKey.DICOM_AE_TITLE);
        ClientSettings client = settings.clientSettings(ae);
        if (timeoutSeconds != null) {
            Duration t = Duration.ofSeconds(timeoutSeconds);
            client = new ClientSettings(ae, t, t, t, client.maxPduLength(), client.tls());
        }
        return client;
    }
}
