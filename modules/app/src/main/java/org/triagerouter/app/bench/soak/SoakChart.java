package org.triagerouter.app.bench.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.triagerouter.analysis.ChartPng;

/** The soak run's series over time, one panel per quantity, with the warm-up and drain shaded and each judged series' fitted line. */
final class SoakChart {
    private static final double MIB = 1024 * 1024;
    private static final Color WARMUP = new Color(0, 0, 0, 22);
    private static final Color DRAIN = new Color(30, 90, 200, 22);
    private static final BasicStroke LINE = new BasicStroke(1.6f);
    private static final Color[] PALETTE = {new Color(200, 40, 40), new Color(30, 90, 200), new Color(20, 140, 60), new Color(230, 130, 0),
            new Color(140, 60, 170), new Color(120, 80, 40), new Color(0, 150, 160)};
    private static final BasicStroke FIT = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    private SoakChart() {}

    /** A fitted line to draw: over which minutes, from which value at minute 0, with which slope per minute. */
    record Fit(String series, double fromMinute, double toMinute, double interceptAtZero, double slopePerMinute) {}

    static void write(Path file, String title, List<Sample> samples, double warmupMinutes, double steadyEndMinutes, Map<String, Fit> fits)
            throws IOException {
        ChartPng.write(() -> chart(title, samples, warmupMinutes, steadyEndMinutes, fits), file, 1100, 1500);
    }

    private static JFreeChart chart(String title, List<Sample> samples, double warmupMinutes, double steadyEndMinutes, Map<String, Fit> fits) {
        NumberAxis minutes = new NumberAxis("minutes since the first study was sent");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(minutes);
        plot.setGap(12);
        double end = samples.isEmpty() ? 1 : samples.get(samples.size() - 1).seconds() / 60;
        java.util.LinkedHashMap<String, ToDoubleFunction<Sample>> memory = new java.util.LinkedHashMap<>();
        memory.put("router RSS", s -> s.rssBytes() / MIB);
        memory.put("Java heap in use (info)", s -> s.heapUsedBytes() < 0 ? Double.NaN : s.heapUsedBytes() / MIB);
        memory.put("non-heap in use (info)", s -> s.nonHeapUsedBytes() < 0 ? Double.NaN : s.nonHeapUsedBytes() / MIB);
        plot.add(panel("memory (MiB)", samples, fits, warmupMinutes, steadyEndMinutes, end, memory));
        plot.add(panel("count", samples, fits, warmupMinutes, steadyEndMinutes, end,
                ordered("open file descriptors", s -> s.fds(), "threads", s -> s.threads())));
        plot.add(panel("database (MiB)", samples, fits, warmupMinutes, steadyEndMinutes, end,
                Map.of("pg_database_size", s -> s.databaseBytes() / MIB)));
        plot.add(panel("spool (MiB)", samples, fits, warmupMinutes, steadyEndMinutes, end, Map.of("spool (du -sb)", s -> s.spoolBytes() / MIB)));
        java.util.LinkedHashMap<String, ToDoubleFunction<Sample>> backlog = new java.util.LinkedHashMap<>();
        backlog.put("backlog (all stages)", s -> s.backlogTotal());
        if (!samples.isEmpty()) {
            for (String kind : samples.get(0).backlog().keySet()) backlog.put(kind, s -> s.backlog().getOrDefault(kind, 0));
        }
        plot.add(panel("jobs queued + running", samples, fits, warmupMinutes, steadyEndMinutes, end, backlog));
        plot.add(panel("studies", samples, fits, warmupMinutes, steadyEndMinutes, end,
                ordered("sent", s -> s.studiesSent(), "delivered (SR at the PACS)", s -> s.studiesDelivered())));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static Map<String, ToDoubleFunction<Sample>> ordered(String a, ToDoubleFunction<Sample> fa, String b, ToDoubleFunction<Sample> fb) {
        java.util.LinkedHashMap<String, ToDoubleFunction<Sample>> m = new java.util.LinkedHashMap<>();
        m.put(a, fa);
        m.put(b, fb);
        return m;
    }

    private static XYPlot panel(String label, List<Sample> samples, Map<String, Fit> fits, double warmupMinutes, double steadyEndMinutes,
                                double endMinutes, Map<String, ToDoubleFunction<Sample>> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        int index = 0;
        for (Map.Entry<String, ToDoubleFunction<Sample>> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (Sample sample : samples) s.add(sample.seconds() / 60, e.getValue().applyAsDouble(sample));
            data.addSeries(s);
            renderer.setSeriesPaint(index, PALETTE[index % PALETTE.length]);
            renderer.setSeriesStroke(index++, LINE);
        }
        for (Map.Entry<String, ToDoubleFunction<Sample>> e : series.entrySet()) {
            Fit fit = fits.get(e.getKey());
            if (fit == null) continue;
            XYSeries line = new XYSeries(e.getKey() + ", fitted after warm-up");
            line.add(fit.fromMinute(), fit.interceptAtZero() + fit.slopePerMinute() * fit.fromMinute());
            line.add(fit.toMinute(), fit.interceptAtZero() + fit.slopePerMinute() * fit.toMinute());
            data.addSeries(line);
            renderer.setSeriesStroke(index, FIT);
            renderer.setSeriesPaint(index++, Color.BLACK);
        }
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (warmupMinutes > 0) plot.addDomainMarker(new IntervalMarker(0, warmupMinutes, WARMUP), Layer.BACKGROUND);
        if (endMinutes > steadyEndMinutes) plot.addDomainMarker(new IntervalMarker(steadyEndMinutes, endMinutes, DRAIN), Layer.BACKGROUND);
        return plot;
    }
}
