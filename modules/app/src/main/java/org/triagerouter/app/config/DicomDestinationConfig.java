package org.triagerouter.app.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ClientTlsSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.DicomProfile;

/**
 * A DICOM destination from the configuration: a YAML entry {@code {name, aeTitle, host, port, ...}} or a TRIAGE_DESTINATIONS
 * item {@code name=AE@HOST:PORT?key=value&...}. Both take the same keys: what to send ({@code shadow, keyObjects, resultImage,
 * storageCommitment}) and the destination's own profile ({@link #PROFILE_KEYS}); a key left out keeps the router's value
 * (plain TCP for TLS).
 */
public final class DicomDestinationConfig {
    private DicomDestinationConfig() {}

    static final List<String> ADDRESS_KEYS = List.of("aeTitle", "host", "port");
    static final List<String> CONTENT_KEYS = List.of("shadow", "keyObjects", "resultImage", "storageCommitment");
    static final List<String> TLS_KEYS = List.of("trustStore", "trustStorePassword", "keyStore", "keyStorePassword", "verifyHostname");
    public static final List<String> PROFILE_KEYS = List.of("callingAeTitle", "tls", "trustStore", "trustStorePassword", "keyStore", "keyStorePassword",
            "verifyHostname", "connectTimeoutSeconds", "dimseTimeoutSeconds", "transferSyntax");

    /** A YAML entry whose type is dicom (or absent). */
    static Destination fromYaml(Map<?, ?> entry, boolean shadowAll) throws RouterConfig.ConfigException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entry.entrySet()) values.put(String.valueOf(e.getKey()), e.getValue());
        Object name = values.remove("name");
        values.remove("type");
        if (name == null || !values.containsKey("aeTitle") || !values.containsKey("host") || !(values.get("port") instanceof Integer)) {
            // The keys only: the entry's values may hold passwords.
            throw new RouterConfig.ConfigException("destinations: each needs name, aeTitle, host and a numeric port: '" + name
                    + "' has keys " + entry.keySet());
        }
        String where = "destinations: '" + name + "': ";
        checkKeys(values, where);
        try {
            RemoteAe remote = new RemoteAe(String.valueOf(values.get("aeTitle")).trim(), String.valueOf(values.get("host")).trim(),
                    (Integer) values.get("port"));
            return build(String.valueOf(name), remote, shadowAll, values, where);
        } catch (IllegalArgumentException e) {
            throw new RouterConfig.ConfigException(where + e.getMessage());
        }
    }

    /** {@code AE@HOST:PORT}, optionally with {@code ?key=value&...} (values URL-encoded where they need it), from TRIAGE_DESTINATIONS. */
    static Destination fromAddress(String name, String address, boolean shadowAll) throws RouterConfig.ConfigException {
        String where = "destinations (TRIAGE_DESTINATIONS): '" + name + "': ";
        int question = address.indexOf('?');
        Map<String, Object> values = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : address.substring(question + 1).split("&")) {
                if (pair.isBlank()) continue;
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8).trim();
                values.put(key, eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).trim());
            }
        }
        for (String key : ADDRESS_KEYS) {
            if (values.containsKey(key)) throw new RouterConfig.ConfigException(where + key + " belongs in AE@HOST:PORT, not in the query");
        }
        checkKeys(values, where);
        try {
            return build(name, RemoteAe.parse(question < 0 ? address : address.substring(0, question)), shadowAll, values, where);
        } catch (IllegalArgumentException e) {
            throw new RouterConfig.ConfigException(where + e.getMessage());
        }
    }

    private static void checkKeys(Map<String, Object> values, String where) throws RouterConfig.ConfigException {
        for (String key : values.keySet()) {
            if (!ADDRESS_KEYS.contains(key) && !CONTENT_KEYS.contains(key) && !PROFILE_KEYS.contains(key)) {
                throw new RouterConfig.ConfigException(where + "unknown key '" + key + "' (name, type, " + String.join(", ", ADDRESS_KEYS) + ", "
                        + String.join(", ", CONTENT_KEYS) + ", " + String.join(", ", PROFILE_KEYS) + ")");
            }
        }
    }

    private static Destination build(String name, RemoteAe remote, boolean shadowAll, Map<String, Object> values, String where)
            throws RouterConfig.ConfigException {
        boolean tls = bool(values, "tls", false);
        if (!tls) {
            for (String key : TLS_KEYS) {
                if (values.containsKey(key)) throw new RouterConfig.ConfigException(where + key + " applies only with tls: true");
            }
        }
        ClientTlsSettings tlsSettings = null;
        if (tls) {
            Path trustStore = readable(values, "trustStore", where);
            if (trustStore == null) {
                // Else the JDK's public CAs would vouch for whoever answers at that address.
                throw new RouterConfig.ConfigException(where + "trustStore (the PACS's certificate or its CA) is required with tls: true");
            }
            Path keyStore = readable(values, "keyStore", where);
            tlsSettings = new ClientTlsSettings(trustStore, text(values, "trustStorePassword"), keyStore, text(values, "keyStorePassword"),
                    bool(values, "verifyHostname", true));
        }
        String callingAe = text(values, "callingAeTitle");
        if (callingAe != null) checkAeTitle(callingAe, where);
        Duration connect = seconds(values, "connectTimeoutSeconds", 3600);
        Duration dimse = seconds(values, "dimseTimeoutSeconds", 86_400);
        TransferSyntaxPreference syntax = values.containsKey("transferSyntax")
                ? TransferSyntaxPreference.parse(String.valueOf(values.get("transferSyntax"))) : TransferSyntaxPreference.OWN;
        DicomProfile profile = new DicomProfile(callingAe, tlsSettings, connect, dimse, syntax);
        return new Destination(name, remote, shadowAll || bool(values, "shadow", false), bool(values, "keyObjects", false), null,
                bool(values, "resultImage", false), bool(values, "storageCommitment", false), profile);
    }

    /** PS3.5 AE: 1 to 16 characters of the default repertoire, no backslash or control character, not only spaces. */
    private static void checkAeTitle(String ae, String where) throws RouterConfig.ConfigException {
        if (ae.isBlank() || ae.length() > 16 || !ae.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '\\')) {
            throw new RouterConfig.ConfigException(where + "callingAeTitle must be 1 to 16 printable characters without backslash, got '" + ae + "'");
        }
    }

    private static Path readable(Map<String, Object> values, String key, String where) throws RouterConfig.ConfigException {
        String text = text(values, key);
        if (text == null || text.isEmpty()) return null;
        Path path = Path.of(text);
        if (!Files.isReadable(path)) throw new RouterConfig.ConfigException(where + key + " " + path + " cannot be read");
        return path;
    }

    private static String text(Map<String, Object> values, String key) {
        Object v = values.get(key);
        return v == null ? null : String.valueOf(v).trim();
    }

    private static boolean bool(Map<String, Object> values, String key, boolean fallback) {
        return Hl7DestinationConfig.bool(values, key, fallback); // one reading of true/yes/false/no for every destination
    }

    private static Duration seconds(Map<String, Object> values, String key, int max) {
        Object v = values.get(key);
        if (v == null) return null;
        try {
            int i = Integer.parseInt(String.valueOf(v).trim());
            if (i < 1 || i > max) throw new IllegalArgumentException(key + " must be between 1 and " + max + ", got " + i);
            return Duration.ofSeconds(i);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }

    /** Every key a DICOM destination takes, for messages and the README check. */
    static Set<String> allKeys() {
        Set<String> keys = new java.util.LinkedHashSet<>(List.of("name", "type"));
        keys.addAll(ADDRESS_KEYS);
        keys.addAll(CONTENT_KEYS);
        keys.addAll(PROFILE_KEYS);
        return keys;
    }
}
