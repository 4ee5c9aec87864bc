package org.triagerouter.dicom.sr;

import java.util.List;

/**
 * What the router concluded about one study, as the SR states it.
 *
 * @param category       ABNORMAL or NORMAL, from the model's operating point
 * @param score          the study score (the maximum over its eligible images), 0..1
 * @param priority       URGENT, HIGH or ROUTINE, from the model's priority bands
 * @param revision       1 for the first report of a study; a re-opened study is reported again with revision + 1
 * @param predecessorSr  the SR this one revises (null for revision 1)
 * @param clinicalUse    the model's manifest says it is for clinical use; false (the default) labels the result
 *                       image NOT FOR DIAGNOSTIC USE, as a demo model's always is
 */
public record TriageResult(
        String category,
        double score,
        String priority,
        String modelId,
        String modelVersion,
        boolean demoModel,
        String operatingPoint,
        double threshold,
        int revision,
        SrReference predecessorSr,
        List<SourceImage> images,
        boolean clinicalUse) {

    /** A result whose model is not known to be for clinical use (as before clinical use was recorded). */
    public TriageResult(String category, double score, String priority, String modelId, String modelVersion, boolean demoModel,
                        String operatingPoint, double threshold, int revision, SrReference predecessorSr, List<SourceImage> images) {
        this(category, score, priority, modelId, modelVersion, demoModel, operatingPoint, threshold, revision, predecessorSr, images, false);
    }

    public TriageResult withClinicalUse(boolean clinicalUse) {
        return new TriageResult(category, score, priority, modelId, modelVersion, demoModel, operatingPoint, threshold, revision,
                predecessorSr, images, clinicalUse);
    }

    /** A demo model's result, or one of a model not for clinical use: what it shows must say so. */
    public boolean notForDiagnosticUse() { return demoModel || !clinicalUse; }

    /** An image the result is based on. */
    public record SourceImage(String seriesInstanceUid, String sopClassUid, String sopInstanceUid) {}

    /** A previously sent SR, for the Predecessor Documents Sequence. */
    public record SrReference(String seriesInstanceUid, String sopInstanceUid) {}

    public boolean abnormal() { return "ABNORMAL".equals(category); }
}
