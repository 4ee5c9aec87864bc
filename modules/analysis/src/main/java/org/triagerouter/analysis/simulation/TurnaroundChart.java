package org.triagerouter.analysis.simulation;

import java.awt.Color;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** A grouped bar chart: mean and 95th-percentile turnaround in minutes, abnormal and normal, one bar per policy. */
final class TurnaroundChart {
    private TurnaroundChart() {}

    static JFreeChart of(TurnaroundSummary summary) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (PolicyOutcome outcome : summary.outcomes()) {
            String policy = outcome.policy().label();
            data.addValue(outcome.abnormal().meanSeconds() / 60, policy, "Abnormal: mean");
            data.addValue(outcome.abnormal().p95Seconds() / 60, policy, "Abnormal: p95");
            data.addValue(outcome.normal().meanSeconds() / 60, policy, "Normal: mean");
            data.addValue(outcome.normal().p95Seconds() / 60, policy, "Normal: p95");
        }
        JFreeChart chart = ChartFactory.createBarChart("Turnaround by worklist policy (p95 = 95th percentile)", null, "minutes (wait + reading)",
                data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter()); // flat bars: gradients print badly
        renderer.setShadowVisible(false);
        Color[] colours = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868), new Color(0xC44E52), new Color(0x8172B3)};
        for (int s = 0; s < summary.outcomes().size(); s++) renderer.setSeriesPaint(s, colours[s % colours.length]);
        return chart;
    }
}
