package org.triagerouter.analysis.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.triagerouter.analysis.CsvFormatException;
import org.triagerouter.analysis.CsvTable;
import org.triagerouter.analysis.TruthLabel;

/**
 * Reads a ground-truth file: a header row, a key column and a {@code label} column (normal/abnormal or
 * 0/1). The key column is the first present of {@code study_uid}, {@code study}, {@code accession},
 * {@code id}; which one it was is returned so the caller matches studies on the right field. A key listed
 * twice with different labels is an error; listed twice with the same label, it counts once.
 */
public final class GroundTruthCsv {
    static final List<String> KEY_COLUMNS = List.of("study_uid", "study", "accession", "id");

    private GroundTruthCsv() {}

    /** Labels by key, in file order. */
    public record GroundTruth(String keyColumn, Map<String, TruthLabel> labels) {
        public GroundTruth {
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    public static GroundTruth read(Path file) throws IOException {
        CsvTable table = CsvTable.read(file);
        String keyColumn = KEY_COLUMNS.stream().filter(c -> table.columnIndex(c) >= 0).findFirst()
                .orElseThrow(() -> new CsvFormatException(file, table.headerLine(), null,
                        "no key column: expected one of " + String.join(", ", KEY_COLUMNS) + " (the header has " + String.join(", ", table.header()) + ")"));
        int key = table.columnIndex(keyColumn);
        int label = table.requiredColumn("label");
        Map<String, TruthLabel> labels = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (CsvTable.Row row : table.rows()) {
            String id = row.cells().get(key);
            if (id.isEmpty()) throw table.error(row, key, "empty " + keyColumn);
            TruthLabel truth;
            try {
                truth = TruthLabel.parse(row.cells().get(label));
            } catch (IllegalArgumentException e) {
                throw table.error(row, label, e.getMessage());
            }
            TruthLabel earlier = labels.putIfAbsent(id, truth);
            if (earlier != null && earlier != truth) {
                throw table.error(row, label, keyColumn + " " + id + " is labelled " + earlier.name().toLowerCase(Locale.ROOT) + " on line "
                        + lineOf.get(id) + " and " + truth.name().toLowerCase(Locale.ROOT) + " here");
            }
            lineOf.putIfAbsent(id, row.line());
        }
        if (labels.isEmpty()) throw new CsvFormatException(file, table.headerLine(), null, "no labels after the header");
        return new GroundTruth(keyColumn, labels);
    }
}
