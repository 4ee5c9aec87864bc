package org.triagerouter.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudyDecisionTest {
    private static StudyDecision.ImageOutcome scored(double score, String priority, String... passed) {
        return new StudyDecision.ImageOutcome("1." + score, true, null, score, priority, List.of(passed), null);
    }

    @Test
    void studyScoreIsTheMaximumAndAnyPassingImageMakesItAbnormal() {
        StudyDecision.Result r = StudyDecision.decide(List.of(scored(0.2, "ROUTINE"), scored(0.86, "URGENT", "default")), "default", null);
        assertEquals("REPORTED", r.status());
        assertEquals("ABNORMAL", r.category());
        assertEquals(0.86, r.score());
        assertEquals("URGENT", r.priority());
        assertEquals("NORMAL", StudyDecision.decide(List.of(scored(0.3, "ROUTINE", "sensitive")), "default", null).category(),
                "only the configured operating point counts");
    }

    @Test
    void noEligibleImageIsNotAnalyzedWithTheReasons() {
        StudyDecision.Result r = StudyDecision.decide(List.of(
                new StudyDecision.ImageOutcome("1", false, "ViewPosition is 'LL'", null, null, List.of(), null)), "default", null);
        assertEquals("NOT_ANALYZED", r.status());
        assertEquals("no eligible image: ViewPosition is 'LL'", r.reason());
        assertNull(r.category());
    }

    @Test
    void eligibleImagesThatAllFailedMakeAFailedStudy() {
        StudyDecision.Result r = StudyDecision.decide(List.of(
                new StudyDecision.ImageOutcome("1", true, null, null, null, List.of(), "unsupported transfer syntax 1.2.840.10008.1.2.4.80")),
                "default", null);
        assertEquals("FAILED", r.status());
        assertEquals("unsupported transfer syntax 1.2.840.10008.1.2.4.80", r.reason());
    }

    @Test
    void aStudyWithSomeImagesLostIsReportedAsPartialNamingThem() {
        StudyDecision.Result r = StudyDecision.decide(List.of(scored(0.3, "ROUTINE"),
                new StudyDecision.ImageOutcome("1.2.9", false, null, null, null, List.of(), "node lost: node-a")), "default", null);
        assertEquals("REPORTED", r.status());
        assertEquals("NORMAL", r.category());
        assertEquals("partial: 1 of 2 image(s) not analyzed: 1.2.9 (node lost: node-a)", r.reason());
        assertEquals("FAILED", StudyDecision.decide(List.of(new StudyDecision.ImageOutcome("1.2.9", false, null, null, null, List.of(),
                "node lost: node-a")), "default", null).status(), "an image lost before its eligibility was known is not 'not eligible'");
    }

    @Test
    void aRevisionNeverLowersThePrioritySent() {
        assertEquals("URGENT", StudyDecision.decide(List.of(scored(0.1, "ROUTINE")), "default", "URGENT").priority());
        assertEquals("URGENT", StudyDecision.decide(List.of(scored(0.95, "URGENT")), "default", "HIGH").priority());
        assertEquals("HIGH", StudyDecision.higher("ROUTINE", "HIGH"));
    }
}
