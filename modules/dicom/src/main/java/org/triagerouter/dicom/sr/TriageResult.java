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
        List<SourceImage> images) {

    /** An image the result is based on. */
    public record SourceImage(String seriesInstanceUid, String sopClassUid, String sopInstanceUid) {}

    /** A previously sent SR, for the Predecessor Documents Sequence. */
    public record SrReference(String seriesInstanceUid, String sopInstanceUid) {}

    public boolean abnormal() { return "ABNORMAL".equals(category); }
}
