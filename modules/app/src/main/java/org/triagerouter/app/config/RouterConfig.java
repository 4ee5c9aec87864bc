package org.triagerouter.app.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.inference.ExecutionProvider;
import org.triagerouter.inference.InferSettings;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.prepare.EligibilityRules;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dicom.net.ClientCertificateAeTitles;
import org.triagerouter.dicom.net.TlsSettings;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The router's configuration: defaults, then the YAML file, then environment variables, each later
 * one winning. An unknown key or a value of the wrong kind is an error that names the key.
 */
public final class RouterConfig {
    private final Map<ConfigKey, String> values;
    /** prepare.eligibility: structured rules, the one key that is not a single value (no environment override). */
    private final List<?> eligibilityRules;
    /** destinations from the YAML list, unless TRIAGE_DESTINATIONS replaced them. */
    private final List<?> destinationList;
    /** dicom.senders from the YAML list, unless TRIAGE_DICOM_SENDERS replaced them. */
    private List<?> senderList;

    private RouterConfig(Map<ConfigKey, String> values, List<?> eligibilityRules, List<?> destinationList) {
        this.values = values;
        this.eligibilityRules = eligibilityRules;
        this.destinationList = destinationList;
    }

    public static RouterConfig load(Path file, Map<String, String> environment) throws ConfigException {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) values.put(key, key.defaultValue);
        List<?> eligibility = null;
        List<?> destinations = null;
        List<?> senders = null;
        if (file != null) {
            if (!Files.isReadable(file)) throw new ConfigException("configuration file " + file + " cannot be read");
            Object root;
            try (Reader reader = Files.newBufferedReader(file)) {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage());
            }
            if (root != null) {
                if (!(root instanceof Map<?, ?> map)) throw new ConfigException(file + ": top level must be a mapping");
                Map<Object, Object> copy = new java.util.LinkedHashMap<>(map);
                if (copy.get("prepare") instanceof Map<?, ?> prepare && prepare.containsKey("eligibility")) {
                    Map<Object, Object> rest = new java.util.LinkedHashMap<>(prepare);
                    Object rules = rest.remove("eligibility");
                    if (rules != null && !(rules instanceof List<?>)) throw new ConfigException(file + ": prepare.eligibility must be a list of rules");
                    eligibility = (List<?>) rules;
                    copy.put("prepare", rest);
                }
                if (copy.get("dicom") instanceof Map<?, ?> dicom && dicom.containsKey("senders")) {
                    Map<Object, Object> rest = new java.util.LinkedHashMap<>(dicom);
                    Object list = rest.remove("senders");
                    if (list != null && !(list instanceof List<?>)) {
                        throw new ConfigException(file + ": dicom.senders must be a list of {aeTitle, hosts, sopClasses, transferSyntaxes}");
                    }
                    senders = (List<?>) list;
                    copy.put("dicom", rest);
                }
                Object destinationsYaml = copy.remove("destinations");
                if (destinationsYaml != null && !(destinationsYaml instanceof List<?>)) {
                    throw new ConfigException(file + ": destinations must be a list of {name, aeTitle, host, port, shadow} or {name, type: hl7, host, port, ...}");
                }
                destinations = (List<?>) destinationsYaml;
                flatten("", copy, values, file);
            }
        }
        for (ConfigKey key : ConfigKey.values()) {
            String override = environment.get(key.environmentVariable);
            if (override != null) values.put(key, override.trim());
        }
        if (environment.containsKey(ConfigKey.DESTINATIONS.environmentVariable)) destinations = null; // the variable replaces the list
        if (environment.containsKey(ConfigKey.DICOM_SENDERS.environmentVariable)) senders = null;
        RouterConfig config = new RouterConfig(values, eligibility, destinations);
        config.senderList = senders;
        config.serverSettings(); // validates every DICOM setting up front
        config.prepareSettings();
        config.destinations();
        config.storageCommitmentSettings();
        config.inferSettings();
        config.clusterSettings();
        config.days(ConfigKey.SPOOL_RETENTION_DAYS);
        config.databaseRetention();
        config.databaseCeilingBytes();
        config.integer(ConfigKey.ALERTS_BACKLOG_MINUTES, 1, 10_080);
        config.executionProvider();
        config.integer(ConfigKey.HTTP_PORT, 0, 65535);
        config.databaseSettings();
        config.ingestSettings();
        return config;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<ConfigKey, String> values, Path file) throws ConfigException {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String path = prefix + entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(path + ".", nested, values, file);
                continue;
            }
            ConfigKey key = ConfigKey.byPath(path);
            if (key == null) throw new ConfigException(file + ": unknown configuration key '" + path + "'");
            String text;
            if (value == null) text = "";
            else if (value instanceof List<?> list) text = String.join(",", list.stream().map(String::valueOf).toList());
            else text = String.valueOf(value);
            values.put(key, text.trim());
        }
    }

    public String string(ConfigKey key) { return values.get(key); }

    public int integer(ConfigKey key, int min, int max) throws ConfigException {
        try {
            int value = Integer.parseInt(values.get(key));
            if (value < min || value > max) throw new ConfigException(describe(key) + " must be between " + min + " and " + max);
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(key) + " must be a whole number, got '" + values.get(key) + "'");
        }
    }

    /** A whole number within [min, max], or "auto" (empty). */
    public java.util.OptionalInt integerOrAuto(ConfigKey key, int min, int max) throws ConfigException {
        if ("auto".equalsIgnoreCase(values.get(key).trim())) return java.util.OptionalInt.empty();
        try {
            return java.util.OptionalInt.of(integer(key, min, max));
        } catch (ConfigException e) {
            throw new ConfigException(describe(key) + " must be auto or a whole number between " + min + " and " + max + ", got '" + values.get(key) + "'");
        }
    }

    /** A number that may have decimals (0.01 days), within [min, max]. */
    public double decimal(ConfigKey key, double min, double max) throws ConfigException {
        try {
            double value = Double.parseDouble(values.get(key));
            if (!(value >= min && value <= max)) throw new ConfigException(describe(key) + " must be between " + min + " and " + max);
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(key) + " must be a number, got '" + values.get(key) + "'");
        }
    }

    /** A period in days, decimals allowed. */
    public Duration days(ConfigKey key) throws ConfigException {
        return Duration.ofMillis(Math.round(decimal(key, 0, 36_500) * 86_400_000d));
    }

    /** How long each kind of row stays in the database. */
    public org.triagerouter.store.DatabaseRetention.Periods databaseRetention() throws ConfigException {
        return new org.triagerouter.store.DatabaseRetention.Periods(days(ConfigKey.DATABASE_IMAGE_RETENTION_DAYS),
                days(ConfigKey.DATABASE_JOB_RETENTION_DAYS), days(ConfigKey.DATABASE_HISTORY_DAYS));
    }

    /** The database's size ceiling in bytes; 0: none. */
    public long databaseCeilingBytes() throws ConfigException {
        return Math.round(decimal(ConfigKey.DATABASE_MAX_SIZE_GB, 0, 1_000_000) * (1L << 30));
    }

    public boolean bool(ConfigKey key) throws ConfigException {
        String v = values.get(key).toLowerCase();
        if (v.equals("true") || v.equals("yes")) return true;
        if (v.equals("false") || v.equals("no") || v.isEmpty()) return false;
        throw new ConfigException(describe(key) + " must be true or false, got '" + values.get(key) + "'");
    }

    public List<String> list(ConfigKey key) {
        List<String> items = new ArrayList<>();
        for (String part : values.get(key).split(",")) if (!part.isBlank()) items.add(part.trim());
        return items;
    }

    public Path spoolDirectory() { return Path.of(string(ConfigKey.SPOOL_DIR)); }

    /** The dashboard/API settings; credentials are checked here so a bad entry stops start-up with its position. */
    public org.triagerouter.web.WebSettings webSettings(String aeTitle, int dicomPort) throws ConfigException {
        java.util.List<org.triagerouter.web.Access.Credential> credentials = new java.util.ArrayList<>();
        try {
            credentials.addAll(org.triagerouter.web.Access.users(list(ConfigKey.HTTP_USERS)));
            credentials.addAll(org.triagerouter.web.Access.tokens(list(ConfigKey.HTTP_TOKENS)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new org.triagerouter.web.WebSettings(string(ConfigKey.HTTP_BIND), integer(ConfigKey.HTTP_PORT, 0, 65535),
                new org.triagerouter.web.Access(credentials), bool(ConfigKey.HTTP_SHOW_PHI), aeTitle, dicomPort);
    }

    public ServerSettings serverSettings() throws ConfigException {
        List<String> syntaxes = list(ConfigKey.DICOM_TRANSFER_SYNTAXES);
        for (String ts : syntaxes) {
            if (!Uids.isValid(ts)) throw new ConfigException(describe(ConfigKey.DICOM_TRANSFER_SYNTAXES) + ": '" + ts + "' is not a UID");
        }
        Set<String> allowed = new LinkedHashSet<>(list(ConfigKey.ALLOWED_CALLING_AE_TITLES));
        Set<String> extraSopClasses = new LinkedHashSet<>(list(ConfigKey.DICOM_EXTRA_STORAGE_SOP_CLASSES));
        for (String uid : extraSopClasses) {
            if (!Uids.isValid(uid)) throw new ConfigException(describe(ConfigKey.DICOM_EXTRA_STORAGE_SOP_CLASSES) + ": '" + uid + "' is not a UID");
        }
        List<org.triagerouter.dicom.net.SenderProfile> senders = senderList != null ? SenderConfig.fromYaml(senderList)
                : SenderConfig.fromVariable(string(ConfigKey.DICOM_SENDERS));
        TlsSettings tls = tlsSettings();
        if (tls != null && tls.keyStore() == null) {
            throw new ConfigException(describe(ConfigKey.TLS_KEY_STORE) + " must be set when TLS is enabled");
        }
        if (tls != null && tls.requireClientCertificate() && tls.trustStore() == null) {
            // Else the JDK's public CAs would vouch for any caller.
            throw new ConfigException(describe(ConfigKey.TLS_TRUST_STORE) + " must be set when client certificates are required");
        }
        if (tls != null && !tls.clientCertificateAeTitles().isEmpty() && tls.trustStore() == null) {
            throw new ConfigException(describe(ConfigKey.TLS_TRUST_STORE) + " must be set when client certificates are bound to AE titles");
        }
        if (tls == null && !list(ConfigKey.TLS_CLIENT_CERTIFICATE_AE_TITLES).isEmpty()) {
            throw new ConfigException(describe(ConfigKey.TLS_CLIENT_CERTIFICATE_AE_TITLES) + " needs dicom.tls.enabled: true");
        }
        try {
            return new ServerSettings(
                    string(ConfigKey.DICOM_AE_TITLE),
                    string(ConfigKey.DICOM_BIND),
                    integer(ConfigKey.DICOM_PORT, 0, 65535),
                    allowed,
                    syntaxes.isEmpty() ? Uids.DECODABLE_TRANSFER_SYNTAXES : syntaxes,
                    integer(ConfigKey.DICOM_MAX_PDU_LENGTH, ServerSettings.MIN_PDU_LENGTH, ServerSettings.MAX_PDU_LENGTH),
                    integer(ConfigKey.DICOM_MAX_ASSOCIATIONS, 1, 10_000),
                    Duration.ofSeconds(integer(ConfigKey.DICOM_ARTIM_TIMEOUT, 1, 3600)),
                    Duration.ofSeconds(integer(ConfigKey.DICOM_IDLE_TIMEOUT, 1, 86_400)),
                    spoolDirectory().resolve("incoming"),
                    tls,
                    senders,
                    extraSopClasses);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad DICOM configuration: " + e.getMessage());
        }
    }

    /** The router's own SCU settings, plain TCP: the listener's dicom.tls settings are for those who call us; a destination has its own. */
    public ClientSettings clientSettings(String callingAeTitle) throws ConfigException {
        return new ClientSettings(callingAeTitle,
                Duration.ofSeconds(integer(ConfigKey.DICOM_CONNECT_TIMEOUT, 1, 3600)),
                Duration.ofSeconds(integer(ConfigKey.DICOM_DIMSE_TIMEOUT, 1, 86_400)),
                Duration.ofSeconds(integer(ConfigKey.DICOM_DIMSE_TIMEOUT, 1, 86_400)),
                integer(ConfigKey.DICOM_MAX_PDU_LENGTH, ServerSettings.MIN_PDU_LENGTH, ServerSettings.MAX_PDU_LENGTH),
                null);
    }

    public DatabaseSettings databaseSettings() throws ConfigException {
        String url = string(ConfigKey.DATABASE_URL);
        if (!url.startsWith("jdbc:postgresql:")) throw new ConfigException(describe(ConfigKey.DATABASE_URL) + " must start with jdbc:postgresql:");
        return new DatabaseSettings(url, string(ConfigKey.DATABASE_USER), string(ConfigKey.DATABASE_PASSWORD),
                integer(ConfigKey.DATABASE_POOL_SIZE, 1, 1000), Duration.ofSeconds(integer(ConfigKey.DATABASE_TIMEOUT, 1, 3600)),
                Duration.ofSeconds(integer(ConfigKey.DATABASE_IDLE_IN_TRANSACTION, 0, 86_400)),
                Duration.ofSeconds(integer(ConfigKey.DATABASE_STATEMENT_TIMEOUT, 1, 86_400)), null);
    }

    public IngestSettings ingestSettings() throws ConfigException {
        long floor = (long) integer(ConfigKey.SPOOL_MIN_FREE_MB, 0, Integer.MAX_VALUE) << 20;
        return new IngestSettings(spoolDirectory(), floor, nodeName());
    }

    /**
     * Where results go: the YAML list (DICOM entries, and {@code type: hl7} ones), or TRIAGE_DESTINATIONS
     * ({@code name=AE@host:port?option=value} or {@code name=hl7://host:port?option=value}, comma-separated); report.shadow applies to all.
     */
    public List<Destination> destinations() throws ConfigException {
        boolean shadowAll = bool(ConfigKey.SHADOW);
        List<Destination> list = new ArrayList<>();
        try {
            if (destinationList != null) {
                for (Object entry : destinationList) {
                    if (!(entry instanceof Map<?, ?> d)) throw new ConfigException("destinations: each entry must be a mapping, got " + entry);
                    String type = String.valueOf(d.containsKey("type") ? d.get("type") : "dicom").trim().toLowerCase();
                    if (type.equals("hl7")) {
                        list.add(Hl7DestinationConfig.fromYaml(d, shadowAll));
                        continue;
                    }
                    if (!type.equals("dicom")) throw new ConfigException("destinations: type must be dicom or hl7, got '" + d.get("type") + "'");
                    list.add(DicomDestinationConfig.fromYaml(d, shadowAll));
                }
            } else {
                for (String item : list(ConfigKey.DESTINATIONS)) {
                    int eq = item.indexOf('=');
                    if (eq < 1) throw new ConfigException(describe(ConfigKey.DESTINATIONS) + ": expected name=AE@host:port or name=hl7://host:port, got '"
                            + item + "'");
                    String name = item.substring(0, eq).trim(), address = item.substring(eq + 1).trim();
                    if (address.regionMatches(true, 0, "hl7://", 0, 6)) list.add(Hl7DestinationConfig.fromUri(name, address, shadowAll));
                    else list.add(DicomDestinationConfig.fromAddress(name, address, shadowAll));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("destinations: " + e.getMessage());
        }
        if (list.stream().map(Destination::name).distinct().count() != list.size()) throw new ConfigException("destinations: names must be unique");
        return list;
    }

    /** How long destinations with storageCommitment have to report, and how long the delivery's association waits for it. */
    public org.triagerouter.dispatch.StorageCommitmentSettings storageCommitmentSettings() throws ConfigException {
        return new org.triagerouter.dispatch.StorageCommitmentSettings(
                Duration.ofMinutes(integer(ConfigKey.DISPATCH_STORAGE_COMMITMENT_TIMEOUT, 1, 7 * 1440)),
                Duration.ofSeconds(integer(ConfigKey.DISPATCH_STORAGE_COMMITMENT_WAIT, 0, 60)));
    }

    public RetryPolicy dispatchRetry() throws ConfigException {
        return new RetryPolicy(Duration.ofSeconds(integer(ConfigKey.DISPATCH_RETRY_SECONDS, 1, 86_400)),
                Duration.ofSeconds(integer(ConfigKey.DISPATCH_MAX_RETRY_SECONDS, 1, 7 * 86_400)));
    }

    public PrepareSettings prepareSettings() throws ConfigException {
        EligibilityRules rules;
        try {
            rules = eligibilityRules == null || eligibilityRules.isEmpty() ? EligibilityRules.defaults() : EligibilityRules.fromYaml(eligibilityRules);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ConfigException("prepare.eligibility: " + e.getMessage());
        }
        return new PrepareSettings(rules, integer(ConfigKey.PREPARE_MAX_SIDE, 64, 8192), nodeName(), integer(ConfigKey.PREPARE_WORKERS, 0, 64));
    }

    public InferSettings inferSettings() throws ConfigException {
        int maxWaitMs = integer(ConfigKey.INFERENCE_MAX_WAIT_MS, 0, 60_000);
        return new InferSettings(integer(ConfigKey.INFERENCE_BATCH_SIZE, 1, 4096), Duration.ofMillis(maxWaitMs), Duration.ofSeconds(2), nodeName());
    }

    /** How nodes share the work: leases renewed while a worker lives, when a silent node is lost, how long a stop may take. */
    public record ClusterSettings(Duration lease, Duration nodeLost, Duration shutdownGrace) {}

    public ClusterSettings clusterSettings() throws ConfigException {
        Duration lease = Duration.ofSeconds(integer(ConfigKey.CLUSTER_LEASE_SECONDS, 3, 3600));
        Duration lost = Duration.ofSeconds(integer(ConfigKey.CLUSTER_NODE_LOST_SECONDS, 10, 86_400));
        if (lost.compareTo(lease) < 0) throw new ConfigException(describe(ConfigKey.CLUSTER_NODE_LOST_SECONDS) + " must be at least the lease ("
                + lease.toSeconds() + " s)");
        return new ClusterSettings(lease, lost, Duration.ofSeconds(integer(ConfigKey.SHUTDOWN_GRACE_SECONDS, 0, 3600)));
    }

    public ExecutionProvider executionProvider() throws ConfigException {
        try {
            return ExecutionProvider.parse(string(ConfigKey.INFERENCE_PROVIDER));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(ConfigKey.INFERENCE_PROVIDER) + ": " + e.getMessage());
        }
    }

    /** The configured node name, else the host name. */
    public String nodeName() {
        String name = string(ConfigKey.NODE_NAME);
        if (!name.isEmpty()) return name;
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "router";
        }
    }

    private TlsSettings tlsSettings() throws ConfigException {
        if (!bool(ConfigKey.TLS_ENABLED)) return null;
        String keyStore = string(ConfigKey.TLS_KEY_STORE);
        String trustStore = string(ConfigKey.TLS_TRUST_STORE);
        ClientCertificateAeTitles bindings;
        try {
            bindings = ClientCertificateAeTitles.parse(list(ConfigKey.TLS_CLIENT_CERTIFICATE_AE_TITLES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(ConfigKey.TLS_CLIENT_CERTIFICATE_AE_TITLES) + ": " + e.getMessage());
        }
        return new TlsSettings(keyStore.isEmpty() ? null : Path.of(keyStore), string(ConfigKey.TLS_KEY_STORE_PASSWORD),
                trustStore.isEmpty() ? null : Path.of(trustStore), string(ConfigKey.TLS_TRUST_STORE_PASSWORD),
                bool(ConfigKey.TLS_REQUIRE_CLIENT_CERTIFICATE), bindings);
    }

    private static String describe(ConfigKey key) { return key.path + " (" + key.environmentVariable + ")"; }

    public static final class ConfigException extends Exception {
        public ConfigException(String message) { super(message); }
    }

    /** For diagnostics: the effective values, passwords hidden. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (ConfigKey key : ConfigKey.values()) {
            String v = key.name().contains("PASSWORD") && !values.get(key).isEmpty() ? "***" : values.get(key);
            b.append(key.path).append('=').append(v).append('\n');
        }
        return b.toString();
    }
}
