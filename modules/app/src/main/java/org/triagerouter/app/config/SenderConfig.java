package org.triagerouter.app.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.HostPattern;
import org.triagerouter.dicom.net.SenderProfile;

/**
 * Known senders from the configuration: the YAML list {@code dicom.senders: [{aeTitle, hosts, sopClasses, transferSyntaxes}]}
 * or TRIAGE_DICOM_SENDERS, comma-separated items {@code AE@host|host?sopClasses=uid|uid&transferSyntaxes=uid|uid}
 * (no {@code @}: any host). An AE title holding {@code , @ ? |} can only be given in the YAML.
 */
final class SenderConfig {
    private SenderConfig() {}

    static final Set<String> KEYS = Set.of("aeTitle", "hosts", "sopClasses", "transferSyntaxes");
    private static final String WHERE = "dicom.senders (TRIAGE_DICOM_SENDERS)";

    static List<SenderProfile> fromYaml(List<?> entries) throws RouterConfig.ConfigException {
        List<SenderProfile> senders = new ArrayList<>();
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> map)) throw new RouterConfig.ConfigException(WHERE + ": each entry must be a mapping, got " + entry);
            for (Object key : map.keySet()) {
                if (!KEYS.contains(String.valueOf(key))) {
                    throw new RouterConfig.ConfigException(WHERE + ": unknown key '" + key + "' (aeTitle, hosts, sopClasses, transferSyntaxes)");
                }
            }
            Object ae = map.get("aeTitle");
            if (ae == null) throw new RouterConfig.ConfigException(WHERE + ": each sender needs an aeTitle: " + entry);
            String aeTitle = String.valueOf(ae).strip();
            senders.add(build(aeTitle, strings(map.get("hosts")), strings(map.get("sopClasses")), strings(map.get("transferSyntaxes"))));
        }
        return senders;
    }

    static List<SenderProfile> fromVariable(String text) throws RouterConfig.ConfigException {
        List<SenderProfile> senders = new ArrayList<>();
        for (String item : text.split(",")) {
            if (item.isBlank()) continue;
            String rest = item.strip();
            List<String> sopClasses = List.of(), syntaxes = List.of();
            int question = rest.indexOf('?');
            if (question >= 0) {
                for (String pair : rest.substring(question + 1).split("&")) {
                    if (pair.isBlank()) continue;
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    List<String> values = eq < 0 ? List.of() : split(pair.substring(eq + 1));
                    switch (key) {
                        case "sopClasses" -> sopClasses = values;
                        case "transferSyntaxes" -> syntaxes = values;
                        default -> throw new RouterConfig.ConfigException(WHERE + ": unknown option '" + key + "' in '" + item.strip()
                                + "' (sopClasses, transferSyntaxes)");
                    }
                }
                rest = rest.substring(0, question);
            }
            int at = rest.lastIndexOf('@');
            String aeTitle = (at < 0 ? rest : rest.substring(0, at)).strip();
            List<String> hosts = at < 0 ? List.of() : split(rest.substring(at + 1));
            if (at >= 0 && hosts.isEmpty()) throw new RouterConfig.ConfigException(WHERE + ": '" + item.strip() + "' names no host after @");
            senders.add(build(aeTitle, hosts, sopClasses, syntaxes));
        }
        return senders;
    }

    private static SenderProfile build(String aeTitle, List<String> hosts, List<String> sopClasses, List<String> syntaxes)
            throws RouterConfig.ConfigException {
        String where = WHERE + ": sender '" + aeTitle + "': ";
        List<HostPattern> patterns = new ArrayList<>();
        for (String host : hosts) {
            try {
                patterns.add(HostPattern.parse(host));
            } catch (IllegalArgumentException e) {
                throw new RouterConfig.ConfigException(where + "host " + e.getMessage());
            }
        }
        for (String uid : sopClasses) if (!Uids.isValid(uid)) throw new RouterConfig.ConfigException(where + "SOP class '" + uid + "' is not a UID");
        for (String uid : syntaxes) if (!Uids.isValid(uid)) throw new RouterConfig.ConfigException(where + "transfer syntax '" + uid + "' is not a UID");
        try {
            return new SenderProfile(aeTitle, patterns, new LinkedHashSet<>(sopClasses), syntaxes);
        } catch (IllegalArgumentException e) {
            throw new RouterConfig.ConfigException(WHERE + ": " + e.getMessage());
        }
    }

    /** A YAML list or a single scalar, as strings. */
    private static List<String> strings(Object value) {
        if (value == null) return List.of();
        if (value instanceof List<?> list) return list.stream().map(v -> String.valueOf(v).strip()).filter(v -> !v.isEmpty()).toList();
        return split(String.valueOf(value));
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (String part : text.split("[|,]")) if (!part.isBlank()) parts.add(part.strip());
        return parts;
    }
}
