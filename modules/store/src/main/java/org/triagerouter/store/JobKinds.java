package org.triagerouter.store;

/** The job kinds of the pipeline; stages hand work to each other only through these. */
public final class JobKinds {
    private JobKinds() {}

    /** Decide eligibility and render a canonical image, per instance (subject: SOP Instance UID). */
    public static final String PREPARE = "prepare";

    /** Score a canonical image with the model, batched (subject: SOP Instance UID). */
    public static final String INFER = "infer";

    /** Decide a complete study's result and write its SR (subject: Study Instance UID). */
    public static final String REPORT = "report";

    /** Deliver one result to one destination (subject: delivery id). */
    public static final String DISPATCH = "dispatch";

    /** Delete this node's spool files of studies delivered long enough ago (subject and node: the node). */
    public static final String RETENTION = "retention";
}
