package org.triagerouter.app.command;

/** A study's score as a model last reported it, for {@code evaluate} and {@code simulate} alike. */
public final class ReportedScore {
    private ReportedScore() {}

    /**
     * A scalar sub-query on the study aliased {@code s}: the score of its latest REPORTED revision from the model
     * whose id and version it binds, in that order; null when that model reported nothing on it.
     */
    static final String OF_STUDY = """
            (select x.score from study_result x where x.study_id = s.id and x.model_id = ? and x.model_version = ?
                and x.status = 'REPORTED' order by x.revision desc limit 1)""";
}
