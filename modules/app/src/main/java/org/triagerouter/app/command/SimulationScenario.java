package org.triagerouter.app.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A simulation scenario file (YAML, see docs/simulation.md), flattened to dotted keys such as
 * {@code arrivals.studiesPerDay}. Unknown keys are refused with their name, so a typo cannot pass silently.
 */
public final class SimulationScenario {
    static final Set<String> KEYS = Set.of("arrivals.source", "arrivals.studiesPerDay", "arrivals.days", "arrivals.prevalence",
            "arrivals.dailyProfile", "arrivals.csv", "arrivals.databaseDays", "ai.sensitivity", "ai.specificity", "ai.scores", "ai.threshold",
            "radiologists", "readingTime.normal", "readingTime.abnormal", "waitCapMinutes", "replications", "seed");

    private final Map<String, String> values;
    private final Path folder;

    private SimulationScenario(Map<String, String> values, Path folder) {
        this.values = values;
        this.folder = folder;
    }

    static SimulationScenario none() { return new SimulationScenario(Map.of(), Path.of(".")); }

    static SimulationScenario load(Path file) throws IOException {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null) {
            if (!(root instanceof Map<?, ?> map)) throw new IllegalArgumentException(file + ": expected a mapping of settings");
            flatten("", map, flat);
        }
        for (String key : flat.keySet()) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException(file + ": unknown setting '" + key + "' (known: " + KEYS.stream().sorted().toList() + ")");
        }
        Path parent = file.toAbsolutePath().getParent();
        return new SimulationScenario(flat, parent == null ? Path.of(".") : parent);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) flatten(key + ".", nested, into);
            else if (e.getValue() instanceof List<?> list) into.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
            else if (e.getValue() != null) into.put(key, String.valueOf(e.getValue()));
        }
    }

    /** The command line's value when given, else the file's, else the default. */
    String text(String key, String fromCommandLine, String fallback) {
        if (fromCommandLine != null) return fromCommandLine;
        return values.getOrDefault(key, fallback);
    }

    double number(String key, Double fromCommandLine, double fallback) {
        if (fromCommandLine != null) return fromCommandLine;
        String value = values.get(key);
        if (value == null) return fallback;
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scenario setting " + key + ": '" + value + "' is not a number");
        }
    }

    /** A file named in the scenario is relative to the scenario's folder. */
    Path path(String key, Path fromCommandLine) {
        if (fromCommandLine != null) return fromCommandLine;
        String value = values.get(key);
        return value == null ? null : folder.resolve(value);
    }
}
