package org.triagerouter.analysis.evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.triagerouter.analysis.ChartPng;
import org.triagerouter.analysis.TextTable;

/** An evaluation for people: aligned tables for the terminal, a markdown report and a PNG ROC curve. */
public final class EvaluationReport {
    private final Evaluation evaluation;

    public EvaluationReport(Evaluation evaluation) {
        this.evaluation = evaluation;
    }

    /** The headline AUC line followed by the operating-point, target-sensitivity and calibration tables. */
    public String table() {
        StringBuilder out = new StringBuilder(aucLine()).append("\n\n");
        if (!evaluation.operatingPoints().isEmpty()) out.append("Operating points\n").append(operatingPointTable().aligned()).append('\n');
        if (!evaluation.thresholdsForSensitivity().isEmpty()) {
            out.append("Thresholds for a target sensitivity\n").append(targetTable().aligned()).append('\n');
        }
        out.append("Calibration\n").append(calibrationTable().aligned());
        return out.toString();
    }

    /** The whole report; the ROC curve image is linked as {@code rocFileName} unless that is null. */
    public String markdown(String rocFileName) {
        StringBuilder md = new StringBuilder("# Model evaluation\n\n").append(aucLine()).append("\n\n");
        md.append(String.format(Locale.ROOT, "AUC is the Mann–Whitney statistic (ties count one half). The interval is a stratified "
                + "percentile bootstrap: %d resamples, seed %d.%n%n", evaluation.aucInterval().resamples(), evaluation.aucInterval().seed()));
        if (rocFileName != null) md.append("![ROC curve](").append(rocFileName).append(")\n\n");
        if (!evaluation.operatingPoints().isEmpty()) {
            md.append("## Operating points\n\nA study is called abnormal when its score is at or above the threshold. ")
                    .append(String.format(Locale.ROOT, "PPV and NPV hold at this data's prevalence (%.1f%% abnormal).%n%n", 100 * prevalence()))
                    .append(operatingPointTable().markdown()).append('\n');
        }
        if (!evaluation.thresholdsForSensitivity().isEmpty()) {
            md.append("## Thresholds for a target sensitivity\n\nThe highest threshold that reaches the target on this data, ")
                    .append("so specificity is as high as it can be; thresholds are rounded down to four decimals, which keeps the target. ")
                    .append("Validate on separate data before using one clinically.\n\n")
                    .append(targetTable().markdown()).append('\n');
        }
        md.append("## Calibration\n\nFor a calibrated model the mean score of a bin matches its observed abnormal fraction.\n\n")
                .append(calibrationTable().markdown());
        return md.toString();
    }

    public void writeRocChart(Path png) throws IOException {
        ChartPng.write(() -> RocChart.of(evaluation), png, 700, 700);
    }

    /** Writes the ROC chart and a markdown report that links it by file name (so keep both in one folder). */
    public void writeMarkdown(Path markdownFile, Path png) throws IOException {
        writeRocChart(png);
        Path parent = markdownFile.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(markdownFile, markdown(png.getFileName().toString()), StandardCharsets.UTF_8);
    }

    private double prevalence() {
        return (double) evaluation.roc().abnormalCount() / (evaluation.roc().abnormalCount() + evaluation.roc().normalCount());
    }

    private String aucLine() {
        BootstrapInterval ci = evaluation.aucInterval();
        return String.format(Locale.ROOT, "AUC %.3f (%.0f%% CI %.3f–%.3f) on %d abnormal and %d normal studies",
                evaluation.roc().auc(), 100 * ci.level(), ci.lower(), ci.upper(), evaluation.roc().abnormalCount(), evaluation.roc().normalCount());
    }

    private TextTable operatingPointTable() {
        TextTable table = confusionHeader("Operating point");
        for (ConfusionAtThreshold c : evaluation.operatingPoints()) addConfusion(table, c.name(), c);
        return table;
    }

    private TextTable targetTable() {
        TextTable table = confusionHeader("Target sensitivity");
        for (ThresholdForSensitivity t : evaluation.thresholdsForSensitivity()) {
            addConfusion(table, TextTable.number(t.targetSensitivity(), 2), t.achieved());
        }
        return table;
    }

    private static TextTable confusionHeader(String first) {
        return new TextTable(1, first, "Threshold", "TP", "FP", "TN", "FN", "Sensitivity", "Specificity", "PPV", "NPV");
    }

    private static void addConfusion(TextTable table, String name, ConfusionAtThreshold c) {
        table.row(name, TextTable.number(c.threshold(), ThresholdForSensitivity.REPORTED_DECIMALS), Integer.toString(c.truePositives()), Integer.toString(c.falsePositives()),
                Integer.toString(c.trueNegatives()), Integer.toString(c.falseNegatives()), TextTable.number(c.sensitivity(), 3),
                TextTable.number(c.specificity(), 3), TextTable.number(c.ppv(), 3), TextTable.number(c.npv(), 3));
    }

    private TextTable calibrationTable() {
        TextTable table = new TextTable(1, "Score bin", "Studies", "Mean score", "Observed abnormal");
        for (CalibrationBin bin : evaluation.calibration().bins()) {
            String range = String.format(Locale.ROOT, "%.2f–%.2f", bin.from(), bin.to());
            table.row(range, Integer.toString(bin.count()), TextTable.number(bin.meanScore(), 3), TextTable.number(bin.observedAbnormalFraction(), 3));
        }
        return table;
    }
}
