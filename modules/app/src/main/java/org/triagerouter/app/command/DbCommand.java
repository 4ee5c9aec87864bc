package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "db", footer = {"", "Example:", "  triage-router db migrate"}, description = "Database administration.", subcommands = {DbCommand.Migrate.class, DbCommand.Prune.class})
public final class DbCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "migrate", footer = {"", "Example:", "  triage-router db migrate --config /etc/triage-router/triage-router.yaml"}, description = "Apply pending schema migrations (serve also does this at start).")
    static final class Migrate implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
        Path config;

        @Override
        public Integer call() {
            try (Database database = new Database(RouterConfig.load(ConfigFile.resolve(config), System.getenv()).databaseSettings())) {
                int applied = database.migrate();
                System.out.printf("database %s: %d migration(s) applied%n", database.settings().url(), applied);
                return 0;
            } catch (RouterConfig.ConfigException e) {
                System.err.println("triage-router db migrate: bad configuration: " + e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) root = root.getCause();
                System.err.println("triage-router db migrate: " + root.getMessage());
                return 1;
            }
        }
    }


    @Command(name = "prune", footer = {"", "Example:", "  triage-router db prune --max-seconds 600"}, description = {"Delete what the database retention periods let go now (serve does it every minute),",
            "in small batches that never hold ingest up."})
    static final class Prune implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
        Path config;

        @Option(names = "--max-seconds", description = "stop after this long (default: ${DEFAULT-VALUE})", defaultValue = "3600")
        long maxSeconds;

        @Override
        public Integer call() {
            try {
                RouterConfig settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
                try (Database database = new Database(settings.databaseSettings())) {
                    long start = System.nanoTime();
                    org.triagerouter.store.DatabaseRetention.Pruned pruned = new org.triagerouter.store.DatabaseRetention(database,
                            settings.databaseRetention()).prune(java.time.Duration.ofSeconds(maxSeconds));
                    System.out.printf("deleted %d canonical image(s), %d job(s), %d association record(s), %d stud(ies) with their history in %.1f s%n",
                            pruned.images(), pruned.jobs(), pruned.associations(), pruned.studies(), (System.nanoTime() - start) / 1e9);
                    return 0;
                }
            } catch (RouterConfig.ConfigException e) {
                System.err.println("triage-router db prune: bad configuration: " + e.getMessage());
                return 2;
            } catch (java.sql.SQLException | RuntimeException e) {
                System.err.println("triage-router db prune: " + e.getMessage());
                return 1;
            }
        }
    }
}
