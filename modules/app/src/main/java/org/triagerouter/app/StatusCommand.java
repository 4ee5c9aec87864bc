package org.triagerouter.app;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The queue at a glance, in the terminal: jobs per stage and state, the oldest waiting, results and deliveries. */
@Command(name = "status", description = "Print the pipeline's state: jobs per stage, oldest waiting, results, deliveries, destinations.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        try (Database database = new Database(RouterConfig.load(ConfigFile.resolve(config), System.getenv()).databaseSettings());
             Connection c = database.connection()) {
            System.out.println("jobs (stage: queued / running / done / failed, oldest waiting)");
            print(c, """
                    select kind, count(*) filter (where state = 'queued'), count(*) filter (where state = 'running'),
                           count(*) filter (where state = 'done'), count(*) filter (where state = 'failed'),
                           coalesce(to_char(now() - min(created_at) filter (where state in ('queued', 'running')), 'HH24:MI:SS'), '-')
                      from job group by kind order by array_position(array['prepare', 'infer', 'report', 'dispatch', 'retention'], kind)""",
                    "  %-10s %6s / %6s / %6s / %6s   %s%n", 6);
            System.out.println("study results (latest revision)");
            print(c, """
                    select coalesce(category, status), coalesce(priority, '-'), count(*) from study_result r
                     where revision = (select max(revision) from study_result x where x.study_id = r.study_id and x.model_id = r.model_id)
                     group by 1, 2 order by 1, 2""", "  %-12s %-8s %6s%n", 3);
            System.out.println("deliveries");
            print(c, "select destination, state, count(*) from delivery group by 1, 2 order by 1, 2", "  %-16s %-10s %6s%n", 3);
            System.out.println("destinations (last C-ECHO)");
            print(c, "select destination, case when ok then 'ok' else 'DOWN' end, to_char(checked_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(message, '') "
                    + "from destination_health order by 1", "  %-16s %-5s %s  %s%n", 4);
            return 0;
        } catch (RouterConfig.ConfigException e) {
            System.err.println("triage-router status: bad configuration: " + e.getMessage());
            return 2;
        } catch (SQLException | RuntimeException e) {
            System.err.println("triage-router status: " + e.getMessage());
            return 1;
        }
    }

    private static void print(Connection c, String sql, String format, int columns) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            boolean any = false;
            while (rs.next()) {
                Object[] values = new Object[columns];
                for (int i = 0; i < columns; i++) values[i] = rs.getString(i + 1);
                System.out.printf(format, values);
                any = true;
            }
            if (!any) System.out.println("  (none)");
        }
    }
}
