package org.triagerouter.prepare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dicom.file.InstanceFiles;

/**
 * Which instances go to the model, decided from the header before any pixel is decoded. An instance
 * is eligible when any rule admits it; otherwise the reason names what each rule found.
 */
public final class EligibilityRules {
    private final List<EligibilityRule> rules;

    public record Decision(boolean eligible, String rule, String reason) {}

    public EligibilityRules(List<EligibilityRule> rules) {
        if (rules.isEmpty()) throw new IllegalArgumentException("at least one eligibility rule is needed");
        this.rules = List.copyOf(rules);
    }

    /** Frontal chest radiographs: CR or DX, chest or unstated body part, PA/AP or unstated view, original images. */
    public static EligibilityRules defaults() {
        Map<String, EligibilityRule.Condition> require = new LinkedHashMap<>();
        require.put("Modality", EligibilityRule.Condition.values(List.of("CR", "DX")));
        require.put("BodyPartExamined", EligibilityRule.Condition.values(List.of("CHEST", "THORAX", "")));
        require.put("ViewPosition", EligibilityRule.Condition.values(List.of("PA", "AP", "")));
        Map<String, EligibilityRule.Condition> reject = new LinkedHashMap<>();
        reject.put("ImageType", EligibilityRule.Condition.regex(".*\\b(DERIVED|SECONDARY)\\b.*"));
        reject.put("PatientOrientation", EligibilityRule.Condition.regex("^(A|P)\\\\.*")); // rows toward front/back: a lateral
        return new EligibilityRules(List.of(new EligibilityRule("frontal-chest-radiograph", require, reject)));
    }

    /**
     * Rules from the YAML configuration: a list of {@code {name, require: {Keyword: [values] or "/regex/"}, reject: {...}}}.
     * Errors name the rule and the key.
     */
    @SuppressWarnings("unchecked")
    public static EligibilityRules fromYaml(List<?> entries) {
        List<EligibilityRule> rules = new ArrayList<>();
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> map)) throw new IllegalArgumentException("eligibility rule must be a mapping: " + entry);
            Object name = map.get("name");
            if (!(name instanceof String n) || n.isBlank()) throw new IllegalArgumentException("eligibility rule without a name: " + entry);
            for (Object key : map.keySet()) {
                if (!Set.of("name", "require", "reject").contains(String.valueOf(key))) {
                    throw new IllegalArgumentException("eligibility rule '" + n + "': unknown key '" + key + "' (name, require, reject)");
                }
            }
            rules.add(new EligibilityRule(n, conditions(n, "require", (Map<Object, Object>) map.get("require")),
                    conditions(n, "reject", (Map<Object, Object>) map.get("reject"))));
        }
        return new EligibilityRules(rules);
    }

    private static Map<String, EligibilityRule.Condition> conditions(String rule, String part, Map<Object, Object> yaml) {
        Map<String, EligibilityRule.Condition> conditions = new LinkedHashMap<>();
        if (yaml == null) return conditions;
        for (Map.Entry<Object, Object> e : yaml.entrySet()) {
            String keyword = String.valueOf(e.getKey());
            if (!InstanceFiles.isKeyword(keyword)) {
                throw new IllegalArgumentException("eligibility rule '" + rule + "' " + part + ": '" + keyword + "' is not a DICOM keyword");
            }
            Object value = e.getValue();
            if (value instanceof String s && s.length() >= 2 && s.startsWith("/") && s.endsWith("/")) {
                conditions.put(keyword, EligibilityRule.Condition.regex(s.substring(1, s.length() - 1)));
            } else if (value instanceof List<?> list) {
                for (Object v : list) {
                    // YAML 1.1 reads YES/NO/ON/OFF as booleans: the rule would silently compare against "true".
                    if (v != null && !(v instanceof String) && !(v instanceof Number)) {
                        throw new IllegalArgumentException("eligibility rule '" + rule + "' " + part + " " + keyword + ": value " + v
                                + " is not text; quote it (\"YES\", \"NO\", ...)");
                    }
                }
                conditions.put(keyword, EligibilityRule.Condition.values(list.stream().map(v -> v == null ? "" : String.valueOf(v)).toList()));
            } else {
                throw new IllegalArgumentException("eligibility rule '" + rule + "' " + part + " " + keyword
                        + ": expected a list of values or a /regular expression/, got " + value);
            }
        }
        return conditions;
    }

    /** Every keyword any rule reads, so the header is parsed once. */
    public Set<String> keywords() {
        Set<String> keywords = new LinkedHashSet<>();
        for (EligibilityRule r : rules) {
            keywords.addAll(r.require().keySet());
            keywords.addAll(r.reject().keySet());
        }
        return keywords;
    }

    public Decision decide(Map<String, String> header) {
        List<String> reasons = new ArrayList<>();
        for (EligibilityRule rule : rules) {
            String unmet = rule.unmetBy(header);
            if (unmet == null) return new Decision(true, rule.name(), null);
            reasons.add(rules.size() == 1 ? unmet : rule.name() + ": " + unmet);
        }
        return new Decision(false, null, String.join(" | ", reasons));
    }
}
