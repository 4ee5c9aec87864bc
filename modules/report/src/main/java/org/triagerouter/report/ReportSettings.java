package org.triagerouter.report;

import java.time.Duration;
import java.util.List;

/**
 * @param operatingPoint which of the model's operating points decides ABNORMAL
 * @param grace          after the association that brought a study's last instance is released
 * @param quiet          with no new instance, a study is complete after this long anyway
 * @param destinations   who gets a delivery of each SR
 * @param maxAttempts    deliveries give up after this many attempts
 * @param node           this node, whose spool may hold image files of studies recorded before their attributes were stored
 * @param clinicalUse    the model's manifest declares it fit for clinical use (HL7 results say so when it is not)
 */
public record ReportSettings(String modelId, String modelVersion, boolean demoModel, String operatingPoint, double threshold,
                             Duration grace, Duration quiet, List<ResultRecipient> destinations, int maxAttempts, String node,
                             boolean clinicalUse) {
    /** A model whose clinical use is not stated: the demo model is not for clinical use, any other is taken to be. */
    public ReportSettings(String modelId, String modelVersion, boolean demoModel, String operatingPoint, double threshold,
                          Duration grace, Duration quiet, List<ResultRecipient> destinations, int maxAttempts, String node) {
        this(modelId, modelVersion, demoModel, operatingPoint, threshold, grace, quiet, destinations, maxAttempts, node, !demoModel);
    }
}
