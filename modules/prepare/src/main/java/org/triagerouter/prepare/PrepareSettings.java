package org.triagerouter.prepare;

import java.util.List;
import org.triagerouter.dicom.pixels.ModelGeometry;

/**
 * @param maxSide     longest side of the canonical image; larger images are area-averaged down
 * @param node        this node: prepare jobs are pinned to the node whose spool holds the file
 * @param workers     prepare worker threads on this node
 * @param modelInputs the configured models' geometries: each eligible image's model-ready input is stored for each
 */
public record PrepareSettings(EligibilityRules rules, int maxSide, String node, int workers, List<ModelGeometry> modelInputs) {
    public PrepareSettings {
        modelInputs = List.copyOf(new java.util.LinkedHashSet<>(modelInputs)); // two models of one geometry share one input
    }

    /** Settings that store no model-ready input (the infer stage then derives it from the canonical image). */
    public PrepareSettings(EligibilityRules rules, int maxSide, String node, int workers) {
        this(rules, maxSide, node, workers, List.of());
    }

    public PrepareSettings withModelInputs(List<ModelGeometry> geometries) {
        return new PrepareSettings(rules, maxSide, node, workers, geometries);
    }
}
