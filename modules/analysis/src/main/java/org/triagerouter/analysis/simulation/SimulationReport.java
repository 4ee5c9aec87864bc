package org.triagerouter.analysis.simulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.triagerouter.analysis.ChartPng;
import org.triagerouter.analysis.TextTable;

/** A simulation result for people: an aligned table for the terminal, a markdown report and a PNG chart. */
public final class SimulationReport {
    /** At or above this offered load the worklist backs up under every policy; the report says so. */
    static final double OVERLOAD_WARNING = 0.95;

    private final SimulationResult result;

    public SimulationReport(SimulationResult result) {
        this.result = result;
    }

    /** The turnaround table, times in minutes, space-aligned. */
    public String table() {
        return turnaroundTable().aligned();
    }

    /**
     * The whole report: settings, table and (when {@code chartFileName} is not null) the chart, linked by
     * that name relative to the markdown file.
     */
    public String markdown(String chartFileName) {
        SimulationSettings s = result.settings();
        StringBuilder md = new StringBuilder("# Reading-room simulation\n\n## Settings\n\n");
        md.append("- Arrivals: ").append(s.arrivals().description()).append('\n');
        md.append("- AI: ").append(s.ai().description()).append('\n');
        md.append("- Reading time: ").append(s.readingTimes().description()).append('\n');
        md.append("- Radiologists: ").append(s.radiologists()).append(", always available, one shared worklist, no interruptions\n");
        md.append(String.format(Locale.ROOT, "- Replications: %d (seed %d), %.0f studies per replication on average%n",
                s.replications(), s.seed(), result.studiesPerReplication()));
        md.append("- Offered load: ").append(TextTable.number(result.offeredLoad(), 2))
                .append(" (reading time ÷ radiologist time between first and last arrival)\n");
        if (result.offeredLoad() >= OVERLOAD_WARNING) {
            md.append("\n> **Warning:** the offered load is ").append(TextTable.number(result.offeredLoad(), 2))
                    .append(": the worklist grows over the run under every policy, so turnarounds depend on the run's length.\n");
        }
        md.append("\n## Turnaround (minutes)\n\n").append(turnaroundTable().markdown()).append('\n');
        md.append("Turnaround is the time from arrival to finished report (wait plus reading), pooled over all replications. ")
                .append("Δ is the change from ").append(result.summary().baseline().policy().label())
                .append("; negative is faster. Median and p95 interpolate linearly between order statistics ")
                .append("(NumPy's default, Excel's PERCENTILE.INC).\n");
        if (chartFileName != null) md.append("\n![Turnaround by worklist policy](").append(chartFileName).append(")\n");
        return md.toString();
    }

    public void writeChart(Path png) throws IOException {
        ChartPng.write(() -> TurnaroundChart.of(result.summary()), png, 900, 540);
    }

    /** Writes the chart and a markdown report that links it by file name (so keep both in one folder). */
    public void writeMarkdown(Path markdownFile, Path png) throws IOException {
        writeChart(png);
        Path parent = markdownFile.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(markdownFile, markdown(png.getFileName().toString()), StandardCharsets.UTF_8);
    }

    private TextTable turnaroundTable() {
        TurnaroundSummary summary = result.summary();
        TextTable table = new TextTable(2, "Truth", "Policy", "Studies", "Mean", "Δ mean", "Median", "Δ median", "p95", "Δ p95", "Max");
        for (boolean abnormal : new boolean[] {true, false}) {
            for (PolicyOutcome outcome : summary.outcomes()) {
                TurnaroundStatistics stats = outcome.of(abnormal);
                boolean isBaseline = outcome == summary.baseline();
                TurnaroundStatistics.PercentChange change = summary.changeFromBaseline(outcome, abnormal);
                table.row(abnormal ? "abnormal" : "normal", outcome.policy().label(), Integer.toString(stats.count()),
                        minutes(stats.meanSeconds()), isBaseline ? "—" : TextTable.signedPercent(change.mean()),
                        minutes(stats.medianSeconds()), isBaseline ? "—" : TextTable.signedPercent(change.median()),
                        minutes(stats.p95Seconds()), isBaseline ? "—" : TextTable.signedPercent(change.p95()),
                        minutes(stats.maxSeconds()));
            }
        }
        return table;
    }

    private static String minutes(double seconds) {
        return TextTable.number(seconds / 60, 1);
    }
}
