package org.triagerouter.app.command;

import org.triagerouter.app.config.ConfigFile;
import org.triagerouter.app.config.RouterConfig;
import org.triagerouter.app.serve.ServeCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.SpoolLock;
import org.triagerouter.ingest.SpoolReconciler;
import org.triagerouter.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What {@code serve} does to its spool at start, on demand: for after a database restore or failover, with the router stopped. */
@Command(name = "reconcile", footer = {"", "Example:", "  triage-router reconcile --config /etc/triage-router/triage-router.yaml"}, description = {
        "Bring this node's spool and the database into agreement, as serve does at start: partial transfers are removed,",
        "files without an instance row are kept in <spool>/orphans/ and registered again (unreadable ones stay there, reported).",
        "Refuses while a router holds the spool; exit 0 done, 1 failed part-way, 2 bad configuration, spool in use or database unreachable."})
public final class ReconcileCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() {
        RouterConfig settings;
        IngestSettings ingest;
        try {
            settings = RouterConfig.load(ConfigFile.resolve(config), System.getenv());
            ingest = settings.ingestSettings();
            settings.databaseSettings();
        } catch (RouterConfig.ConfigException e) {
            return fail("bad configuration: " + e.getMessage());
        }
        if (!Files.isDirectory(ingest.spool())) return fail("spool directory " + ingest.spool() + " does not exist");
        // Serve reconciles at its own start and then receives into this spool: never race a running router.
        try (SpoolLock lock = SpoolLock.acquire(ingest.spool());
             Database database = new Database(settings.databaseSettings())) {
            try {
                ServeCommand.migrate(database);
            } catch (SQLException e) {
                return fail(e.getMessage());
            }
            SpoolReconciler.Result result = new SpoolReconciler(database, ingest).reconcile();
            print(result, ingest, System.out);
            return 0;
        } catch (SpoolLock.InUseException e) {
            return fail(e.getMessage() + "; stop that router first (serve reconciles at its own start)");
        } catch (RouterConfig.ConfigException e) {
            return fail("bad configuration: " + e.getMessage());
        } catch (IOException | SQLException | RuntimeException e) {
            System.err.println("triage-router reconcile: failed part-way (run it again; what is done stays done): " + e.getMessage());
            return 1;
        }
    }

    static void print(SpoolReconciler.Result r, IngestSettings ingest, PrintStream out) {
        out.printf("spool %s (node %s) reconciled%n", ingest.spool(), ingest.node());
        out.printf("  partial transfers removed                   %6d%n", r.partialFilesRemoved());
        out.printf("  files without a row, registered again       %6d   (kept in %s)%n", r.orphansReregistered(), ingest.orphans());
        out.printf("  unreadable files kept in orphans/           %6d%n", r.orphansUnreadable());
        out.printf("  duplicate files kept in orphans/            %6d%n", r.orphansDuplicate());
        out.printf("  rows whose file is gone                     %6d%n", r.rowsWithoutFile());
        if (r.orphansKept() > 0) out.printf("%d file(s) in %s need an operator: see the warnings above%n", r.orphansKept(), ingest.orphans());
    }

    private static int fail(String message) {
        System.err.println("triage-router reconcile: " + message);
        return 2;
    }
}
