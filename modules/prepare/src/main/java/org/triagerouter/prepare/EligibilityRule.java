package org.triagerouter.prepare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One named rule: every {@code require} condition must hold and no {@code reject} condition may.
 * A condition on an attribute (by DICOM keyword) is a list of allowed values (case-insensitive,
 * "" meaning absent or empty) or a regular expression written {@code /.../}.
 */
public record EligibilityRule(String name, Map<String, Condition> require, Map<String, Condition> reject) {

    public record Condition(Set<String> values, Pattern pattern) {
        static Condition values(List<String> allowed) {
            return new Condition(allowed.stream().map(v -> v.trim().toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()), null);
        }

        static Condition regex(String expression) {
            return new Condition(null, Pattern.compile(expression, Pattern.CASE_INSENSITIVE));
        }

        boolean matches(String value) {
            String v = value == null ? "" : value.trim();
            return pattern != null ? pattern.matcher(v).matches() : values.contains(v.toUpperCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return pattern != null ? "/" + pattern.pattern() + "/" : values.stream().sorted().map(v -> v.isEmpty() ? "(empty)" : v).toList().toString();
        }
    }

    /** Null when the header satisfies the rule, else why not. */
    String unmetBy(Map<String, String> header) {
        List<String> problems = new ArrayList<>();
        require.forEach((attribute, condition) -> {
            String value = header.getOrDefault(attribute, "");
            if (!condition.matches(value)) problems.add(attribute + " is " + shown(value) + ", not " + condition);
        });
        reject.forEach((attribute, condition) -> {
            String value = header.getOrDefault(attribute, "");
            if (condition.matches(value)) problems.add(attribute + " is " + shown(value) + ", excluded by " + condition);
        });
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static String shown(String value) { return value.isEmpty() ? "empty" : "'" + value + "'"; }
}
