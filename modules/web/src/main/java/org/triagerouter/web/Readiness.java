package org.triagerouter.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.triagerouter.store.Database;

/**
 * What {@code /health/ready} checks: not shutting down (a load balancer stops sending first), database reachable
 * and under its size ceiling, spool writable and above its free-space floor, model loaded.
 */
public record Readiness(Database database, Path spool, long minFreeBytes, BooleanSupplier modelLoaded, BooleanSupplier stopping,
                        java.util.function.Supplier<String> databaseCeiling) {

    public Readiness(Database database, Path spool, long minFreeBytes, BooleanSupplier modelLoaded) {
        this(database, spool, minFreeBytes, modelLoaded, () -> false, () -> null);
    }

    /** The problems in words an operator can act on; empty when ready. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (stopping.getAsBoolean()) problems.add("shutting down");
        try (Connection c = database.connection()) {
            if (!c.isValid(2)) problems.add("database not answering");
        } catch (Exception e) {
            problems.add("database unreachable");
        }
        try {
            if (!Files.isWritable(spool)) problems.add("spool not writable");
            else if (Files.getFileStore(spool).getUsableSpace() < minFreeBytes) problems.add("spool below its free-space floor");
        } catch (IOException e) {
            problems.add("spool unavailable");
        }
        String ceiling = databaseCeiling.get();
        if (ceiling != null) problems.add(ceiling);
        if (!modelLoaded.getAsBoolean()) problems.add("model not loaded");
        return problems;
    }
}
