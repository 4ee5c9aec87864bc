package org.triagerouter.app.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.Hl7Destination;
import org.triagerouter.hl7.Hl7Endpoint;
import org.triagerouter.hl7.Hl7Options;

/**
 * An HL7 v2 destination from the configuration: a YAML entry {@code {name, type: hl7, host, port, ...}} or a
 * TRIAGE_DESTINATIONS item {@code name=hl7://HOST:PORT?key=value&...}. The site options (README, docs/hl7.md)
 * are the same keys in both; in the variable, lists and maps take {@code |} between items
 * ({@code accessionNumberIn=placer|filler}, {@code priorityCodes=URGENT:S|HIGH:A}).
 */
final class Hl7DestinationConfig {
    private Hl7DestinationConfig() {}

    static final Set<String> ENDPOINT_KEYS = Set.of("host", "port", "tls", "trustStore", "trustStorePassword", "connectTimeoutSeconds",
            "ackTimeoutSeconds");
    static final Set<String> OPTION_KEYS = Set.of("sendingApplication", "sendingFacility", "receivingApplication", "receivingFacility",
            "processingId", "accessionNumberIn", "priorityMessage", "priorityOrderControl", "priorityCodes", "priorityFields",
            "patientIdAuthority", "codingSystem", "procedureCode", "procedureText", "procedureCodingSystem", "characterSet", "sendNotAnalyzed");

    /** A YAML entry whose type is hl7. */
    static Destination fromYaml(Map<?, ?> entry, boolean shadowAll) throws RouterConfig.ConfigException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entry.entrySet()) values.put(String.valueOf(e.getKey()), e.getValue());
        Object name = values.remove("name");
        values.remove("type");
        boolean shadow = shadowAll || Boolean.TRUE.equals(values.remove("shadow"));
        if (name == null) throw new RouterConfig.ConfigException("destinations: an hl7 destination needs a name: " + entry);
        return build(String.valueOf(name), shadow, values);
    }

    /** {@code hl7://HOST:PORT?key=value&...} from TRIAGE_DESTINATIONS (a bracketed IPv6 address as host). */
    static Destination fromUri(String name, String text, boolean shadowAll) throws RouterConfig.ConfigException {
        String rest = text.substring("hl7://".length());
        int question = rest.indexOf('?');
        String authority = question < 0 ? rest : rest.substring(0, question);
        int colon = authority.lastIndexOf(':');
        if (colon < 1 || colon == authority.length() - 1 || authority.lastIndexOf(']') > colon) {
            throw new RouterConfig.ConfigException("destinations: '" + name + "': expected hl7://HOST:PORT, got '" + text + "'");
        }
        String host = authority.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("host", host);
        values.put("port", authority.substring(colon + 1));
        boolean shadow = shadowAll;
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (key.equals("shadow")) shadow = shadow || Boolean.parseBoolean(value);
                else values.put(key, value);
            }
        }
        return build(name, shadow, values);
    }

    private static Destination build(String name, boolean shadow, Map<String, Object> values) throws RouterConfig.ConfigException {
        String where = "destinations: '" + name + "' (hl7): ";
        for (String key : values.keySet()) {
            if (!ENDPOINT_KEYS.contains(key) && !OPTION_KEYS.contains(key)) {
                throw new RouterConfig.ConfigException(where + "unknown key '" + key + "' (name, type, shadow, "
                        + String.join(", ", new java.util.TreeSet<>(ENDPOINT_KEYS)) + ", " + String.join(", ", new java.util.TreeSet<>(OPTION_KEYS)) + ")");
            }
        }
        try {
            Object host = values.get("host");
            if (host == null) throw new IllegalArgumentException("host is missing");
            String trustStore = text(values, "trustStore", "");
            Hl7Endpoint endpoint = new Hl7Endpoint(String.valueOf(host), integer(values, "port", -1, 1, 65535), bool(values, "tls", false),
                    trustStore.isEmpty() ? null : Path.of(trustStore), text(values, "trustStorePassword", ""),
                    Duration.ofSeconds(integer(values, "connectTimeoutSeconds", (int) Hl7Endpoint.DEFAULT_CONNECT_TIMEOUT.toSeconds(), 1, 3600)),
                    Duration.ofSeconds(integer(values, "ackTimeoutSeconds", (int) Hl7Endpoint.DEFAULT_ACK_TIMEOUT.toSeconds(), 1, 3600)));
            Hl7Options d = Hl7Options.defaults();
            EnumSet<Hl7Options.OrderNumberField> accession = EnumSet.noneOf(Hl7Options.OrderNumberField.class);
            for (String item : list(values, "accessionNumberIn", List.of("filler"))) accession.add(Hl7Options.OrderNumberField.parse(item));
            EnumSet<Hl7Options.PriorityField> fields = EnumSet.noneOf(Hl7Options.PriorityField.class);
            for (String item : list(values, "priorityFields", List.of("ORC-7", "TQ1-9", "OBR-27"))) fields.add(Hl7Options.PriorityField.parse(item));
            Hl7Options options = new Hl7Options(text(values, "sendingApplication", d.sendingApplication()),
                    text(values, "sendingFacility", d.sendingFacility()), text(values, "receivingApplication", d.receivingApplication()),
                    text(values, "receivingFacility", d.receivingFacility()), text(values, "processingId", d.processingId()), accession,
                    Hl7Options.PriorityMessage.parse(text(values, "priorityMessage", "ORM^O01")),
                    text(values, "priorityOrderControl", d.priorityOrderControl()), priorityCodes(values), fields,
                    text(values, "patientIdAuthority", d.patientIdAuthority()), text(values, "codingSystem", d.codingSystem()),
                    text(values, "procedureCode", d.procedureCode()), text(values, "procedureText", d.procedureText()),
                    text(values, "procedureCodingSystem", d.procedureCodingSystem()), text(values, "characterSet", d.characterSet()),
                    bool(values, "sendNotAnalyzed", d.sendNotAnalyzed()));
            return Destination.hl7(name, shadow, new Hl7Destination(endpoint, options));
        } catch (IllegalArgumentException e) {
            throw new RouterConfig.ConfigException(where + e.getMessage());
        }
    }

    private static Map<String, String> priorityCodes(Map<String, Object> values) {
        Object v = values.get("priorityCodes");
        if (v == null) return Hl7Options.DEFAULT_PRIORITY_CODES;
        Map<String, String> codes = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) codes.put(String.valueOf(e.getKey()).trim().toUpperCase(), String.valueOf(e.getValue()).trim());
        } else {
            for (String item : String.valueOf(v).split("[|,]")) {
                if (item.isBlank()) continue;
                int colon = item.indexOf(':');
                if (colon < 1) throw new IllegalArgumentException("priorityCodes: expected PRIORITY:CODE, got '" + item.trim() + "'");
                codes.put(item.substring(0, colon).trim().toUpperCase(), item.substring(colon + 1).trim());
            }
        }
        return codes;
    }

    private static String text(Map<String, Object> values, String key, String fallback) {
        Object v = values.get(key);
        return v == null ? fallback : String.valueOf(v).trim();
    }

    private static List<String> list(Map<String, Object> values, String key, List<String> fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof List<?> l) return l.stream().map(o -> String.valueOf(o).trim()).filter(s -> !s.isEmpty()).toList();
        return java.util.Arrays.stream(String.valueOf(v).split("[|,]")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static boolean bool(Map<String, Object> values, String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        String s = String.valueOf(v).trim().toLowerCase();
        if (s.equals("true") || s.equals("yes")) return true;
        if (s.equals("false") || s.equals("no")) return false;
        throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }

    private static int integer(Map<String, Object> values, String key, int fallback, int min, int max) {
        Object v = values.get(key);
        if (v == null) {
            if (fallback < 0) throw new IllegalArgumentException(key + " is missing");
            return fallback;
        }
        try {
            int i = Integer.parseInt(String.valueOf(v).trim());
            if (i < min || i > max) throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + i);
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }
}
