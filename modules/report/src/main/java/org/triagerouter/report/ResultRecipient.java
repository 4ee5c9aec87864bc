package org.triagerouter.report;

/**
 * A destination as the report stage sees it: a delivery is queued for it with every SR ({@code shadow}:
 * recorded, never sent), it wants a Key Object Selection with abnormal results ({@code keyObjects}), and
 * it also wants results of studies that were not analyzed ({@code notAnalyzed}: an HL7 destination can
 * say so; there is no SR for those), and a result image ({@code resultImage}). How and where it is sent is the
 * dispatch stage's business.
 */
public record ResultRecipient(String name, boolean shadow, boolean keyObjects, boolean notAnalyzed, boolean resultImage) {
    public ResultRecipient(String name, boolean shadow, boolean keyObjects, boolean notAnalyzed) {
        this(name, shadow, keyObjects, notAnalyzed, false);
    }

    public ResultRecipient(String name, boolean shadow, boolean keyObjects) {
        this(name, shadow, keyObjects, false, false);
    }

    /** Whether a result of this status gets a delivery here. */
    boolean wants(StudyDecision.Result decision) {
        return decision.reported() || (notAnalyzed && "NOT_ANALYZED".equals(decision.status()));
    }
}
