package org.triagerouter.web;

import java.util.List;

/** The model as the app loaded it, for the model page (the web module does not open models itself). */
public record ModelInfo(String id, String version, boolean demo, boolean clinicalUse, String provider, String operatingPoint,
                        List<OperatingPoint> operatingPoints, List<PriorityBand> priorityBands, String manifestText) {
    public record OperatingPoint(String name, double threshold, Double sensitivity, Double specificity) {}

    public record PriorityBand(double from, double to, String priority) {}
}
