package org.triagerouter.store;

import java.sql.Connection;
import java.sql.SQLException;

/** One way to run a unit of work in a transaction: commit when it returns, roll back when it throws. */
public final class Transactions {
    private Transactions() {}

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection transaction) throws SQLException;
    }

    @FunctionalInterface
    public interface VoidWork {
        void run(Connection transaction) throws SQLException;
    }

    public static <T> T inTransaction(Database database, Work<T> work) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                resetQuietly(c);
            }
        }
    }

    /** As {@link #inTransaction(Database, Work)}, for work that returns nothing. */
    public static void run(Database database, VoidWork work) throws SQLException {
        inTransaction(database, c -> {
            work.run(c);
            return null;
        });
    }

    /** Rolls back what can be rolled back; a broken connection has lost its transaction already. */
    public static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone, and the transaction with it.
        }
    }

    private static void resetQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // The pool discards a broken connection.
        }
    }
}
