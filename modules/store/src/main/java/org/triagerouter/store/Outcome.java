package org.triagerouter.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a stage's handler decided about one job, after doing its I/O holding no connection. The stage
 * runtime writes {@link #rows()} and the job's new state in one transaction, and only while the job's
 * lease is still this worker's: a worker that lost its lease writes nothing.
 */
public sealed interface Outcome {
    /** The stage's rows, written inside the outcome's transaction. */
    @FunctionalInterface
    interface Rows {
        Rows NONE = c -> {};

        void write(Connection transaction) throws SQLException;
    }

    Rows rows();

    /** Finished: the rows are the result, the job is done. */
    record Done(Rows rows) implements Outcome {}

    /** Try again after the retry policy's delay, until the attempts are used up; then FAILED with the reason. */
    record Retry(String reason, Rows rows) implements Outcome {}

    /** FAILED for good with the reason (an image that cannot be decoded, a permanent refusal). */
    record Failed(String reason, Rows rows) implements Outcome {}

    static Outcome done(Rows rows) { return new Done(rows); }

    static Outcome done() { return new Done(Rows.NONE); }

    static Outcome retry(String reason) { return new Retry(reason, Rows.NONE); }

    static Outcome retry(String reason, Rows rows) { return new Retry(reason, rows); }

    static Outcome failed(String reason) { return new Failed(reason, Rows.NONE); }

    static Outcome failed(String reason, Rows rows) { return new Failed(reason, rows); }
}
