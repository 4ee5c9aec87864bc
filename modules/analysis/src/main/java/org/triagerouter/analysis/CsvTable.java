package org.triagerouter.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small CSV file with a header row, read whole: comma-separated, fields optionally in double quotes
 * ({@code ""} inside quotes is a quote, no line breaks inside a field), blank lines and lines starting with
 * {@code #} skipped. Header names are matched case-insensitively. Every row keeps its line number so errors can point at it.
 */
public record CsvTable(Path file, int headerLine, List<String> header, List<Row> rows) {

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    /** One data row: its 1-based line number in the file and its cells, as many as the header has. */
    public record Row(int line, List<String> cells) {
        public Row {
            cells = List.copyOf(cells);
        }
    }

    public static CsvTable read(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> header = null;
            int headerLine = 0;
            List<Row> rows = new ArrayList<>();
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1); // spreadsheet exports add a BOM
                if (line.isBlank() || line.startsWith("#")) continue;
                List<String> cells = split(line, file, lineNumber);
                if (header == null) {
                    header = cells.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
                    headerLine = lineNumber;
                    continue;
                }
                if (cells.size() != header.size()) {
                    throw new CsvFormatException(file, lineNumber, null,
                            "has " + cells.size() + " fields, the header has " + header.size());
                }
                rows.add(new Row(lineNumber, cells));
            }
            if (header == null) throw new CsvFormatException(file, Math.max(lineNumber, 1), null, "no header row");
            return new CsvTable(file, headerLine, header, rows);
        }
    }

    /** The index of a column, or -1 when the file does not have it. */
    public int columnIndex(String name) {
        return header.indexOf(name.toLowerCase(Locale.ROOT));
    }

    /** The index of a column the caller cannot do without; the error lists the columns the file has. */
    public int requiredColumn(String name) throws CsvFormatException {
        int index = columnIndex(name);
        if (index < 0) {
            throw new CsvFormatException(file, headerLine, name, "missing column (the header has " + String.join(", ", header) + ")");
        }
        return index;
    }

    /** An error about one cell, naming its line and column. */
    public CsvFormatException error(Row row, int column, String problem) {
        return new CsvFormatException(file, row.line(), header.get(column), problem);
    }

    private static List<String> split(String line, Path file, int lineNumber) throws CsvFormatException {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) throw new CsvFormatException(file, lineNumber, null, "unterminated quoted field");
        cells.add(cell.toString().strip());
        return cells;
    }
}
