package org.triagerouter.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/** Writes a JFreeChart as a PNG file without a display, so it works on servers and in CI. */
public final class ChartPng {
    static {
        // Charts are only ever drawn into images; unless the caller chose otherwise, never look for an X server.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private ChartPng() {}

    /** Builds the chart only now (after headless mode is settled) and writes it; creates missing folders. */
    public static void write(Supplier<JFreeChart> chart, Path file, int width, int height) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ChartUtils.saveChartAsPNG(file.toFile(), chart.get(), width, height);
    }
}
