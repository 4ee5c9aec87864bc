package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import org.triagerouter.store.FailedWork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "retry", footer = {"", "Example:", "  triage-router retry 42 43      # or: triage-router retry --node node-a"}, description = {"Put failed deliveries back in the queue for a fresh set of attempts;",
        "with --node, the failed jobs of a node that is back (e.g. lost and restarted with its spool): their studies re-open."})
public final class RetryCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "DELIVERY_ID", description = "delivery ids (default: every failed delivery)")
    long[] deliveries;

    @Option(names = "--node", paramLabel = "NAME", description = "retry the failed jobs pinned to this node instead of deliveries")
    String node;

    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try (Database database = new Database(RouterConfig.load(ConfigFile.resolve(config), System.getenv()).databaseSettings())) {
            if (node != null) {
                int retried = new FailedWork(database).retryJobsOfNode(node);
                System.out.printf("%d failed job%s of node %s queued again%n", retried, retried == 1 ? "" : "s", node);
                return 0;
            }
            int retried = new FailedWork(database).retryDeliveries(deliveries == null ? new long[0] : deliveries);
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
}
