package org.triagerouter.analysis.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeriesCollection;

/** The ROC curve with the chance diagonal and the operating points marked; AUC and its interval in the legend. */
final class RocChart {
    private RocChart() {}

    static JFreeChart of(Evaluation evaluation) {
        BootstrapInterval ci = evaluation.aucInterval();
        XYSeries curve = new XYSeries(String.format(Locale.ROOT, "ROC, AUC %.3f (%.0f%% CI %.3f–%.3f)",
                evaluation.roc().auc(), 100 * ci.level(), ci.lower(), ci.upper()), false, true);
        for (RocPoint p : evaluation.roc().points()) curve.add(p.falsePositiveRate(), p.truePositiveRate());
        XYSeries chance = new XYSeries("chance", false, true);
        chance.add(0, 0);
        chance.add(1, 1);
        XYSeries operatingPoints = new XYSeries("operating points", false, true);
        List<XYTextAnnotation> names = new ArrayList<>();
        for (ConfusionAtThreshold op : evaluation.operatingPoints()) {
            if (Double.isNaN(op.specificity()) || Double.isNaN(op.sensitivity())) continue;
            operatingPoints.add(1 - op.specificity(), op.sensitivity());
            XYTextAnnotation name = new XYTextAnnotation(op.name(), 1 - op.specificity() + 0.015, op.sensitivity() - 0.015);
            name.setTextAnchor(TextAnchor.TOP_LEFT);
            names.add(name);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(curve);
        data.addSeries(chance);
        if (!operatingPoints.isEmpty()) data.addSeries(operatingPoints);

        JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT, "ROC curve (%d abnormal, %d normal)",
                evaluation.roc().abnormalCount(), evaluation.roc().normalCount()),
                "1 − specificity (false-positive rate)", "sensitivity (true-positive rate)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (NumberAxis axis : new NumberAxis[] {(NumberAxis) plot.getDomainAxis(), (NumberAxis) plot.getRangeAxis()}) axis.setRange(0, 1);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesPaint(0, new Color(0x4C72B0));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesPaint(1, Color.GRAY);
        renderer.setSeriesStroke(1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f));
        renderer.setSeriesShapesVisible(1, false);
        renderer.setSeriesPaint(2, new Color(0xC44E52));
        renderer.setSeriesLinesVisible(2, false);
        renderer.setSeriesShapesVisible(2, true);
        plot.setRenderer(renderer);
        names.forEach(plot::addAnnotation);
        return chart;
    }
}
