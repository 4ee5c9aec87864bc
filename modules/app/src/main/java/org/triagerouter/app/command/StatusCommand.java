package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import org.triagerouter.web.OverviewQuery;
import org.triagerouter.web.OverviewQuery.Overview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The dashboard's overview in the terminal, from the same query: the queue per stage, results, deliveries, destinations, nodes. */
@Command(name = "status", footer = {"", "Example:", "  triage-router status --config /etc/triage-router/triage-router.yaml"}, description = "Print the pipeline's state: jobs per stage, oldest waiting, results, deliveries, destinations, nodes.")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try (Database database = new Database(RouterConfig.load(ConfigFile.resolve(config), System.getenv()).databaseSettings())) {
            print(new OverviewQuery(database).overview(), System.out);
            return 0;
        } catch (RouterConfig.ConfigException e) {
            System.err.println("triage-router status: bad configuration: " + e.getMessage());
            return 2;
        } catch (SQLException | RuntimeException e) {
            System.err.println("triage-router status: " + e.getMessage());
            return 1;
        }
    }

    static void print(Overview o, PrintStream out) {
        out.printf("last hour: %d studies, %d instances received%n", o.studiesLastHour(), o.instancesLastHour());
        out.println("jobs (stage: queued / running / done last hour / failed, oldest waiting)");
        for (OverviewQuery.Stage s : o.stages()) {
            out.printf("  %-10s %6d / %6d / %6d / %6d   %s%n", s.stage(), s.queued(), s.running(), s.doneLastHour(), s.failed(),
                    s.oldestWaitingSeconds() == null ? "-" : String.format("%.1f s (%s)", s.oldestWaitingSeconds(), s.oldestWaitingSubject()));
        }
        out.println("study results (studies of the last 24 hours, latest result)");
        if (o.results().isEmpty()) out.println("  (none)");
        for (OverviewQuery.ResultCount r : o.results()) {
            out.printf("  %-12s %-8s %6d%n", r.category(), r.priority().isEmpty() ? "-" : r.priority(), r.studies());
        }
        out.println("deliveries");
        if (o.deliveries().isEmpty()) out.println("  (none)");
        for (OverviewQuery.DeliveryCount d : o.deliveries()) out.printf("  %-16s %-10s %6d%n", d.destination(), d.state(), d.deliveries());
        out.println("destinations (last C-ECHO)");
        if (o.destinations().isEmpty()) out.println("  (none)");
        for (OverviewQuery.DestinationHealth d : o.destinations()) {
            out.printf("  %-16s %-5s %s  %s%n", d.destination(), d.ok() ? "ok" : "DOWN", d.checkedAt(), d.message() == null ? "" : d.message());
        }
        out.println("nodes");
        if (o.nodes().isEmpty()) out.println("  (none)");
        for (OverviewQuery.Node n : o.nodes()) {
            out.printf("  %-16s %-6s heartbeat %s  %s:%d  model %s on %s  spool free %s%n", n.name(), n.lost() ? "LOST" : n.alive() ? "alive" : "STALE",
                    n.heartbeatAt(), n.aeTitle(), n.dicomPort(), n.model().isEmpty() ? "-" : n.model(), n.provider().isEmpty() ? "-" : n.provider(),
                    n.spoolFreeBytes() == null ? "-" : (n.spoolFreeBytes() >> 20) + " MB");
        }
        out.printf("database %d MB%s%n", o.storage().databaseBytes() >> 20,
                o.storage().databaseCeilingBytes() > 0 ? " of " + (o.storage().databaseCeilingBytes() >> 20) + " MB allowed" : " (no ceiling)");
        out.println("alerts");
        if (o.alerts().isEmpty()) out.println("  (none)");
        for (String alert : o.alerts()) out.println("  ALERT " + alert);
    }
}
