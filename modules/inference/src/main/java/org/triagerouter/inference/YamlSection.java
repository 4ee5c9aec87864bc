package org.triagerouter.inference;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One mapping of a manifest and the dotted path that leads to it, so every error can name its field. */
final class YamlSection {
    private final Path file;
    private final String path;
    private final Map<?, ?> values;

    private YamlSection(Path file, String path, Map<?, ?> values) {
        this.file = file;
        this.path = path;
        this.values = values;
    }

    static YamlSection root(Path file, Object document) throws InvalidManifestException {
        if (!(document instanceof Map<?, ?> map)) {
            throw new InvalidManifestException(file, "(document)", "must be a mapping of keys to values, got "
                    + (document == null ? "an empty document" : describe(document)));
        }
        return new YamlSection(file, "", map);
    }

    String field(String key) { return path.isEmpty() ? key : path + "." + key; }

    InvalidManifestException error(String key, String problem) {
        return new InvalidManifestException(file, field(key), problem);
    }

    /** Refuses keys outside {@code known}: a misspelt key must not silently fall back to a default. */
    void allowOnly(String... known) throws InvalidManifestException {
        Set<String> allowed = new LinkedHashSet<>(List.of(known));
        for (Object key : values.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new InvalidManifestException(file, field(String.valueOf(key)), "unknown key (allowed here: " + allowed + ")");
            }
        }
    }

    boolean has(String key) { return values.get(key) != null; }

    private Object required(String key) throws InvalidManifestException {
        Object value = values.get(key);
        if (value == null) throw error(key, "missing");
        return value;
    }

    String string(String key) throws InvalidManifestException {
        Object value = required(key);
        if (!(value instanceof String s)) throw error(key, "must be a string, got " + describe(value));
        if (s.isBlank()) throw error(key, "must not be blank");
        return s;
    }

    /** Text, or a whole number taken as its decimal text; a fraction is refused because YAML drops trailing zeros. */
    String textOrWholeNumber(String key) throws InvalidManifestException {
        Object value = required(key);
        if (value instanceof Integer || value instanceof Long) return value.toString();
        if (!(value instanceof String)) throw error(key, "must be text (quote it, e.g. \"1.10\") or a whole number, got " + describe(value));
        return string(key);
    }

    int integer(String key) throws InvalidManifestException {
        Object value = required(key);
        if (!(value instanceof Integer i)) throw error(key, "must be a whole number, got " + describe(value));
        return i;
    }

    double number(String key) throws InvalidManifestException {
        return toNumber(key, required(key));
    }

    Double optionalNumber(String key) throws InvalidManifestException {
        Object value = values.get(key);
        return value == null ? null : toNumber(key, value);
    }

    private double toNumber(String key, Object value) throws InvalidManifestException {
        if (!(value instanceof Number n)) throw error(key, "must be a number, got " + describe(value));
        double d = n.doubleValue();
        if (!Double.isFinite(d)) throw error(key, "must be a finite number, got " + value);
        return d;
    }

    boolean bool(String key) throws InvalidManifestException {
        Object value = required(key);
        if (!(value instanceof Boolean b)) throw error(key, "must be true or false, got " + describe(value));
        return b;
    }

    boolean bool(String key, boolean absent) throws InvalidManifestException {
        return has(key) ? bool(key) : absent;
    }

    YamlSection section(String key) throws InvalidManifestException {
        Object value = required(key);
        if (!(value instanceof Map<?, ?> map)) throw error(key, "must be a mapping, got " + describe(value));
        return new YamlSection(file, field(key), map);
    }

    List<YamlSection> sections(String key) throws InvalidManifestException {
        List<?> list = list(key);
        List<YamlSection> sections = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String item = key + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) throw error(item, "must be a mapping, got " + describe(list.get(i)));
            sections.add(new YamlSection(file, field(item), map));
        }
        return sections;
    }

    List<String> strings(String key) throws InvalidManifestException {
        List<?> list = list(key);
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isBlank()) {
                throw error(key + "[" + i + "]", "must be a non-blank string, got " + describe(list.get(i)));
            }
            strings.add(s);
        }
        return strings;
    }

    List<Double> numbers(String key) throws InvalidManifestException {
        List<?> list = list(key);
        List<Double> numbers = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) numbers.add(toNumber(key + "[" + i + "]", list.get(i)));
        return numbers;
    }

    private List<?> list(String key) throws InvalidManifestException {
        Object value = required(key);
        if (!(value instanceof List<?> list)) throw error(key, "must be a list, got " + describe(value));
        if (list.isEmpty()) throw error(key, "must not be empty");
        return list;
    }

    private static String describe(Object value) {
        String kind = value instanceof Map ? "a mapping" : value instanceof List ? "a list"
                : value instanceof String ? "text" : value instanceof Boolean ? "a boolean"
                : value instanceof Number ? "a number" : value.getClass().getSimpleName();
        String text = String.valueOf(value);
        return kind + " '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
    }
}
