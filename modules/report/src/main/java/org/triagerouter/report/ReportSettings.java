package org.triagerouter.report;

import java.time.Duration;
import java.util.List;
import org.triagerouter.store.RetryPolicy;

/**
 * @param operatingPoint which of the model's operating points decides ABNORMAL
 * @param grace          after the association that brought a study's last instance is released
 * @param quiet          with no new instance, a study is complete after this long anyway
 * @param maxAttempts    deliveries give up after this many attempts
 */
public record ReportSettings(String modelId, String modelVersion, boolean demoModel, String operatingPoint, double threshold,
                             Duration grace, Duration quiet,
                             List<Destination> destinations, int maxAttempts, RetryPolicy retry, String node) {}
