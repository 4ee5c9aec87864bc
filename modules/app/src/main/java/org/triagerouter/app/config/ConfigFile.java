package org.triagerouter.app.config;

import java.nio.file.Path;

/** Which configuration file a command reads: --config, else $TRIAGE_CONFIG, else none (defaults and environment). */
public final class ConfigFile {
    private ConfigFile() {}

    public static Path resolve(Path option) {
        if (option != null) return option;
        String fromEnvironment = System.getenv("TRIAGE_CONFIG");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
    }
}
