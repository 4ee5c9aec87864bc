package org.triagerouter.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rows of text cells rendered two ways from the same data: space-aligned for a terminal, or as a
 * GitHub-flavoured markdown table. The first {@code textColumns} columns are left-aligned (names), the
 * others right-aligned (numbers).
 */
public final class TextTable {
    private final int textColumns;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(int textColumns, String... header) {
        this.textColumns = textColumns;
        this.header = List.of(header);
    }

    public TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table " + header.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    public String aligned() {
        int[] widths = new int[header.size()];
        for (List<String> line : allLines()) {
            for (int c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c], line.get(c).length());
        }
        StringBuilder out = new StringBuilder();
        appendAligned(out, header, widths);
        List<String> rule = new ArrayList<>();
        for (int width : widths) rule.add("-".repeat(width));
        appendAligned(out, rule, widths);
        for (List<String> row : rows) appendAligned(out, row, widths);
        return out.toString();
    }

    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int c = 0; c < header.size(); c++) out.append(c < textColumns ? " --- |" : " ---: |");
        out.append('\n');
        for (List<String> row : rows) {
            out.append("| ").append(String.join(" | ", row.stream().map(TextTable::escapeMarkdown).toList())).append(" |\n");
        }
        return out.toString();
    }

    /** A number with a fixed count of decimals, or {@code n/a} when it is undefined (NaN). */
    public static String number(double value, int decimals) {
        if (Double.isNaN(value)) return "n/a";
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A signed percentage such as {@code +12.5%} or {@code -40.0%}, or {@code n/a}. */
    public static String signedPercent(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return "n/a";
        if (Math.abs(value) < 0.05) return "0.0%"; // not "-0.0%" for a change that rounds away
        return String.format(Locale.ROOT, "%+.1f%%", value);
    }

    private List<List<String>> allLines() {
        List<List<String>> all = new ArrayList<>(rows);
        all.add(header);
        return all;
    }

    private void appendAligned(StringBuilder out, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) out.append("  ");
            String cell = cells.get(c);
            String pad = " ".repeat(widths[c] - cell.length());
            out.append(c < textColumns ? cell + pad : pad + cell);
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') end--; // no trailing blanks when the last column is text
        out.setLength(end);
        out.append('\n');
    }

    private static String escapeMarkdown(String cell) {
        return cell.replace("|", "\\|");
    }
}
