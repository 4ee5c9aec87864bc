package org.triagerouter.app;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "retry", description = "Put failed deliveries back in the queue for a fresh set of attempts.")
final class RetryCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "DELIVERY_ID", description = "delivery ids (default: every failed delivery)")
    long[] deliveries;

    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try (Database database = new Database(RouterConfig.load(ConfigFile.resolve(config), System.getenv()).databaseSettings())) {
            int retried = DeliveryRetry.retryFailed(database, deliveries);
            System.out.printf("%d failed deliver%s queued again%n", retried, retried == 1 ? "y" : "ies");
            return 0;
        } catch (RouterConfig.ConfigException e) {
            System.err.println("triage-router retry: bad configuration: " + e.getMessage());
            return 2;
        } catch (SQLException | RuntimeException e) {
            System.err.println("triage-router retry: " + e.getMessage());
            return 1;
        }
    }

    /** The retry the command line and (later) the dashboard share. */
    static final class DeliveryRetry {
        private DeliveryRetry() {}

        static int retryFailed(Database database, long[] ids) throws SQLException {
            JobQueue queue = new JobQueue(database);
            int retried = 0;
            try (Connection c = database.connection();
                 PreparedStatement s = c.prepareStatement("""
                         select d.id, j.id from delivery d join job j on j.kind = ? and j.subject = d.id::text and j.state = 'failed'
                          where d.state = 'failed' and (cardinality(?::bigint[]) = 0 or d.id = any (?::bigint[]))""")) {
                Long[] boxed = ids == null ? new Long[0] : java.util.Arrays.stream(ids).boxed().toArray(Long[]::new);
                java.sql.Array array = c.createArrayOf("bigint", boxed);
                s.setString(1, JobKinds.DISPATCH);
                s.setArray(2, array);
                s.setArray(3, array);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (queue.retry(rs.getLong(2))) {
                            try (PreparedStatement d = c.prepareStatement("update delivery set state = 'pending' where id = ?")) {
                                d.setLong(1, rs.getLong(1));
                                d.executeUpdate();
                            }
                            retried++;
                        }
                    }
                }
            }
            return retried;
        }
    }
}
