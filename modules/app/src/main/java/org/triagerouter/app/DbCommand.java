package org.triagerouter.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.triagerouter.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "db", description = "Database administration.", subcommands = DbCommand.Migrate.class)
final class DbCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "migrate", description = "Apply pending schema migrations (serve also does this at start).")
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

}
