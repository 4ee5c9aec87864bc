package org.triagerouter.hl7;

import java.time.Instant;

/**
 * One revision of a study's AI result, as the messages report it.
 *
 * @param resultId        the result row's id: with the revision and the message kind it makes each message's control ID
 * @param category        ABNORMAL, NORMAL or NOT_ANALYZED
 * @param score           the study's abnormality score; null when not analyzed
 * @param priority        URGENT, HIGH or ROUTINE; null when not analyzed
 * @param threshold       the operating point's threshold; null if unknown
 * @param demoModel       the generated demo model: its scores mean nothing
 * @param clinicalUse     the model's manifest declares it fit for clinical use
 * @param reason          why a result is partial or not analyzed; null otherwise
 */
public record Hl7Result(long resultId, int revision, String category, Double score, String priority, String modelId, String modelVersion,
                        String operatingPoint, Double threshold, boolean demoModel, boolean clinicalUse, String reason, Instant reportedAt) {
    public boolean notForClinicalUse() { return demoModel || !clinicalUse; }

    public boolean analyzed() { return !"NOT_ANALYZED".equals(category); }
}
