package org.triagerouter.store;

/**
 * The pipeline, declared once: each kind of job, what its subject is, where it may run and which kind
 * its success hands over to. Stages hand work to each other only through these; SQL binds
 * {@link #id()} instead of spelling kinds as literals.
 */
public enum JobKind {
    /** Decide eligibility and render a canonical image; reads the received file, so pinned to the node whose spool has it. */
    PREPARE(Subject.SOP_INSTANCE_UID, Placement.RECEIVING_NODE),
    /** Score a canonical image with the model, batched; the image is in the database, so any node. */
    INFER(Subject.SOP_INSTANCE_UID, Placement.ANY_NODE),
    /** Decide a complete study's result and write its SR; the attributes it copies are in the database, so any node. */
    REPORT(Subject.STUDY_INSTANCE_UID, Placement.ANY_NODE),
    /** Deliver one result to one destination. */
    DISPATCH(Subject.DELIVERY_ID, Placement.ANY_NODE),
    /** Delete the spool files of a node whose studies were delivered long enough ago. */
    RETENTION(Subject.NODE_NAME, Placement.RECEIVING_NODE);

    /** What a job's {@code subject} column holds. */
    public enum Subject { SOP_INSTANCE_UID, STUDY_INSTANCE_UID, DELIVERY_ID, NODE_NAME }

    /** Whether a job may run on any node or only on the node that holds its file. */
    public enum Placement { ANY_NODE, RECEIVING_NODE }

    /** Queue priorities: urgent work (DIMSE priority HIGH in, an URGENT result out) is claimed first. */
    public static final int ROUTINE = 0;
    public static final int URGENT = 10;

    private final Subject subject;
    private final Placement placement;

    JobKind(Subject subject, Placement placement) {
        this.subject = subject;
        this.placement = placement;
    }

    /** The value of the {@code job.kind} column. */
    public String id() { return name().toLowerCase(java.util.Locale.ROOT); }

    public Subject subject() { return subject; }

    public Placement placement() { return placement; }

    /** The kind a done job of this kind hands its subject to; null where the hand-over is decided elsewhere (a study's completion). */
    public JobKind next() {
        return switch (this) {
            case PREPARE -> INFER;
            case REPORT -> DISPATCH;
            case INFER, DISPATCH, RETENTION -> null;
        };
    }

    /** The image stages, whose live jobs keep a study from being complete. */
    public static String[] imageStages() { return new String[] {PREPARE.id(), INFER.id()}; }

    public static JobKind of(String id) { return valueOf(id.toUpperCase(java.util.Locale.ROOT)); }

    @Override
    public String toString() { return id(); }
}
