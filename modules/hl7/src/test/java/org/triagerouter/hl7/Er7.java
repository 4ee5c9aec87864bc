package org.triagerouter.hl7;

import java.util.ArrayList;
import java.util.List;

/** Reads an encoded message back by position (SEG-n.c), plainly, to check what the builders wrote. */
final class Er7 {
    private final List<String[]> segments = new ArrayList<>();

    Er7(String text) {
        for (String line : text.split("\r")) if (!line.isEmpty()) segments.add(line.split("\\|", -1));
    }

    List<String> ids() {
        return segments.stream().map(s -> s[0]).toList();
    }

    /** Field {@code field} of the {@code occurrence}-th (1-based) segment {@code id}; MSH counts MSH-1 as the separator. */
    String field(String id, int occurrence, int field) {
        int seen = 0;
        for (String[] s : segments) {
            if (!s[0].equals(id) || ++seen != occurrence) continue;
            int index = id.equals("MSH") ? field - 1 : field;
            return index < s.length ? s[index] : "";
        }
        return null;
    }

    String field(String id, int field) { return field(id, 1, field); }

    String component(String id, int occurrence, int field, int component) {
        String f = field(id, occurrence, field);
        if (f == null) return null;
        String[] c = f.split("\\^", -1);
        return component <= c.length ? c[component - 1] : "";
    }

    String component(String id, int field, int component) { return component(id, 1, field, component); }

    /** The OBX whose OBX-3 identifier is {@code code}, as its 1-based occurrence, or -1. */
    int observation(String code) {
        int seen = 0;
        for (String[] s : segments) {
            if (!s[0].equals("OBX")) continue;
            seen++;
            if (s.length > 3 && s[3].split("\\^", -1)[0].equals(code)) return seen;
        }
        return -1;
    }
}
