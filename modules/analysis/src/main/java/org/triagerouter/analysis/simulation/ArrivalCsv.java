package org.triagerouter.analysis.simulation;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.triagerouter.analysis.CsvFormatException;
import org.triagerouter.analysis.CsvTable;
import org.triagerouter.analysis.TruthLabel;

/**
 * Reads recorded arrivals from a CSV file with a header row and the columns
 * <ul>
 *   <li>{@code arrival}: seconds from the start (a number), or an ISO-8601 date-time with offset
 *       ({@code 2024-03-01T08:15:00Z}) or without ({@code 2024-03-01T08:15:00}, also with a space for
 *       the {@code T}; read as UTC, so a daylight-saving change shifts times by an hour). Date-times become
 *       seconds since the earliest arrival. All rows must use the same kind.</li>
 *   <li>{@code label}: {@code normal}/{@code abnormal} in any case, or {@code 0}/{@code 1}.</li>
 *   <li>{@code score} (optional): the AI's score in [0, 1]; an empty cell means not scored.</li>
 *   <li>{@code id} (optional): the study's name in reports; defaults to {@code line N}.</li>
 * </ul>
 * Other columns are ignored. Every error names the line and the column.
 */
public final class ArrivalCsv {
    private ArrivalCsv() {}

    public static RecordedArrivals read(Path file) throws IOException {
        CsvTable table = CsvTable.read(file);
        int arrivalColumn = table.requiredColumn("arrival");
        int labelColumn = table.requiredColumn("label");
        int scoreColumn = table.columnIndex("score");
        int idColumn = table.columnIndex("id");
        if (table.rows().isEmpty()) throw new CsvFormatException(file, table.headerLine(), null, "no studies after the header");

        Boolean numeric = null;
        double[] times = new double[table.rows().size()];
        for (int r = 0; r < times.length; r++) {
            CsvTable.Row row = table.rows().get(r);
            String text = row.cells().get(arrivalColumn);
            boolean isNumber = looksNumeric(text);
            if (numeric == null) numeric = isNumber;
            if (numeric != isNumber) {
                throw table.error(row, arrivalColumn, "'" + text + "' mixes " + (isNumber ? "seconds with date-times" : "date-times with seconds")
                        + " used on earlier lines");
            }
            times[r] = isNumber ? seconds(table, row, arrivalColumn) : epochSeconds(table, row, arrivalColumn);
        }
        if (!numeric) {
            double earliest = Double.POSITIVE_INFINITY;
            for (double t : times) earliest = Math.min(earliest, t);
            for (int r = 0; r < times.length; r++) times[r] -= earliest;
        }

        List<StudyArrival> studies = new ArrayList<>(times.length);
        for (int r = 0; r < times.length; r++) {
            CsvTable.Row row = table.rows().get(r);
            String id = idColumn >= 0 && !row.cells().get(idColumn).isEmpty() ? row.cells().get(idColumn) : "line " + row.line();
            boolean abnormal;
            try {
                abnormal = TruthLabel.parse(row.cells().get(labelColumn)).isAbnormal();
            } catch (IllegalArgumentException e) {
                throw table.error(row, labelColumn, e.getMessage());
            }
            Double score = scoreColumn >= 0 ? score(table, row, scoreColumn) : null;
            studies.add(new StudyArrival(id, times[r], abnormal, score));
        }
        return new RecordedArrivals(studies, file.getFileName().toString());
    }

    private static boolean looksNumeric(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
                && !text.matches("\\d{4}-\\d{2}-\\d{2}.*");
    }

    private static double seconds(CsvTable table, CsvTable.Row row, int column) throws CsvFormatException {
        String text = row.cells().get(column);
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value) || value < 0) throw table.error(row, column, "'" + text + "' is not a number of seconds >= 0");
            return value;
        } catch (NumberFormatException e) {
            throw table.error(row, column, "'" + text + "' is neither seconds from the start nor an ISO-8601 date-time");
        }
    }

    private static double epochSeconds(CsvTable table, CsvTable.Row row, int column) throws CsvFormatException {
        String text = row.cells().get(column);
        if (text.isEmpty()) throw table.error(row, column, "arrival time is missing");
        String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        try {
            Instant instant = hasOffset(iso) ? OffsetDateTime.parse(iso).toInstant() : LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
            return instant.getEpochSecond() + instant.getNano() / 1e9;
        } catch (DateTimeParseException e) {
            throw table.error(row, column, "'" + text + "' is neither seconds from the start nor an ISO-8601 date-time (e.g. 2024-03-01T08:15:00Z)");
        }
    }

    /** True when the text after the time part carries a zone: Z, +hh:mm or -hh:mm. */
    private static boolean hasOffset(String iso) {
        int timeStart = iso.indexOf('T');
        if (timeStart < 0) return false;
        String time = iso.substring(timeStart);
        return time.endsWith("Z") || time.endsWith("z") || time.contains("+") || time.contains("-");
    }

    private static Double score(CsvTable table, CsvTable.Row row, int column) throws CsvFormatException {
        String text = row.cells().get(column);
        if (text.isEmpty()) return null;
        try {
            double value = Double.parseDouble(text);
            if (!(value >= 0 && value <= 1)) throw table.error(row, column, "score " + text + " is outside [0, 1]");
            return value;
        } catch (NumberFormatException e) {
            throw table.error(row, column, "'" + text + "' is not a number");
        }
    }
}
