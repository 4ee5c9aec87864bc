package org.triagerouter.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Database;

/**
 * Brings this node's spool and the database back into agreement after a crash: partial transfers
 * and files that never got their row were never acknowledged, so they are removed. Rows whose file
 * is missing cannot be repaired here; they are counted and logged.
 */
public final class SpoolReconciler {
    private static final Logger log = LoggerFactory.getLogger(SpoolReconciler.class);

    public record Result(int partialFilesRemoved, int orphanFilesRemoved, int rowsWithoutFile) {}

    private final Database database;
    private final IngestSettings settings;

    public SpoolReconciler(Database database, IngestSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    private static String sopInstanceUid(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".dcm".length());
    }

    public Result reconcile() throws IOException, SQLException {
        int partial = 0;
        Files.createDirectories(settings.incoming());
        try (Stream<Path> files = Files.list(settings.incoming())) {
            for (Path p : files.toList()) {
                if (Files.deleteIfExists(p)) partial++;
            }
        }
        // Orphans are told by SOP Instance UID (the file name) against every node's rows, never by path or node
        // name: a renamed host or a remounted spool must not make acknowledged files look unrecorded.
        List<Path> spooled;
        try (Stream<Path> walk = Files.walk(settings.spool())) {
            spooled = walk.filter(p -> !p.startsWith(settings.incoming()) && Files.isRegularFile(p) && p.toString().endsWith(".dcm")).toList();
        }
        int orphans = 0;
        try (Connection c = database.connection()) {
            for (int from = 0; from < spooled.size(); from += 1000) {
                List<Path> chunk = spooled.subList(from, Math.min(spooled.size(), from + 1000));
                Set<String> recorded = InstanceRecords.recorded(c, chunk.stream().map(SpoolReconciler::sopInstanceUid).toList());
                for (Path file : chunk) {
                    if (!recorded.contains(sopInstanceUid(file))) {
                        Files.deleteIfExists(file);
                        orphans++;
                    }
                }
            }
        }
        int missing = 0;
        Set<String> paths;
        try (Connection c = database.connection()) {
            paths = InstanceRecords.filePaths(c, settings.node());
        }
        for (String path : paths) {
            if (!Files.exists(Path.of(path))) missing++;
        }
        Result result = new Result(partial, orphans, missing);
        if (partial + orphans > 0) log.info("spool reconciled: removed {} partial and {} unrecorded file(s)", partial, orphans);
        if (missing > 0) log.error("{} instance row(s) of node {} point at files that are gone", missing, settings.node());
        return result;
    }
}
