package org.triagerouter.report;

import java.util.List;

/**
 * What a study's images add up to. The study score is the maximum over its scored images; the study
 * is ABNORMAL when any image passed the chosen operating point; its priority is that of the highest
 * scoring image. A study with no eligible image is NOT_ANALYZED, one whose eligible images all failed
 * is FAILED, each with the reason; a study reported while some images failed (a lost node's, an undecodable
 * one) says so and names them. A revised result never lowers a priority already sent.
 */
public final class StudyDecision {
    private StudyDecision() {}

    /** One image of the study as the pipeline left it. */
    public record ImageOutcome(String sopInstanceUid, boolean eligible, String ineligibleReason, Double score, String priority,
                               List<String> operatingPointsPassed, String failure) {}

    public record Result(String status, String category, Double score, String priority, String reason) {
        public boolean reported() { return "REPORTED".equals(status); }
    }

    private static final List<String> PRIORITY_ORDER = List.of("ROUTINE", "HIGH", "URGENT");

    public static Result decide(List<ImageOutcome> images, String operatingPoint, String prioritySentBefore) {
        // Failed before its eligibility was known (its node was lost before prepare) or after: not analyzed, with the reason.
        List<ImageOutcome> failed = images.stream().filter(i -> i.score() == null && i.failure() != null).toList();
        List<ImageOutcome> eligible = images.stream().filter(i -> i.eligible() || i.failure() != null).toList();
        if (eligible.isEmpty()) {
            String reasons = images.stream().map(ImageOutcome::ineligibleReason).filter(r -> r != null).distinct()
                    .reduce((a, b) -> a + " | " + b).orElse("no image");
            return new Result("NOT_ANALYZED", null, null, null, "no eligible image: " + reasons);
        }
        List<ImageOutcome> scored = eligible.stream().filter(i -> i.score() != null).toList();
        if (scored.isEmpty()) {
            String failures = eligible.stream().map(ImageOutcome::failure).filter(f -> f != null).distinct()
                    .reduce((a, b) -> a + " | " + b).orElse("not scored");
            return new Result("FAILED", null, null, null, failures);
        }
        ImageOutcome top = scored.get(0);
        for (ImageOutcome i : scored) if (i.score() > top.score()) top = i;
        boolean abnormal = scored.stream().anyMatch(i -> i.operatingPointsPassed().contains(operatingPoint));
        String priority = higher(top.priority(), prioritySentBefore);
        String partial = failed.isEmpty() ? null : "partial: " + failed.size() + " of " + images.size() + " image(s) not analyzed: "
                + String.join(" | ", failed.stream().map(i -> i.sopInstanceUid() + " (" + i.failure() + ")").toList());
        return new Result("REPORTED", abnormal ? "ABNORMAL" : "NORMAL", top.score(), priority, partial);
    }

    /** The higher of two priorities (null counts as lowest): a revision may raise a priority, never lower it. */
    static String higher(String a, String b) {
        if (b == null) return a;
        if (a == null) return b;
        return PRIORITY_ORDER.indexOf(a) >= PRIORITY_ORDER.indexOf(b) ? a : b;
    }
}
