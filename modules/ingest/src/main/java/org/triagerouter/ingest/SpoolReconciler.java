package org.triagerouter.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Transactions;

/**
 * Brings this node's spool and the database back into agreement. Partial transfers in {@code incoming/} were
 * never acknowledged and are removed. A spooled file without an instance row is never deleted: after a database
 * restore or a failover to an asynchronous replica it may be an instance the sender was told was stored. It is
 * moved to {@code <spool>/orphans/} (same relative path) and registered again from its own header, as ingest
 * would have (study, series and instance rows, a {@code prepare} job pinned to this node), under the
 * pseudo-association {@code reconcile-<node>-<millis>} from calling AE {@value #CALLING_AE_TITLE}; the row points
 * at its place under {@code orphans/}, so an operator sees there every file the reconciler had to place. A file
 * whose header cannot be read, or whose SOP Instance UID already has a row for another file, stays in
 * {@code orphans/} for an operator and is reported (an unreadable one on every run; a duplicate named by its
 * recorded SOP Instance UID only when found, as later runs take it for recorded). Rows whose file is missing cannot be repaired
 * here; they are counted and logged.
 */
public final class SpoolReconciler {
    private static final Logger log = LoggerFactory.getLogger(SpoolReconciler.class);
    static final String CALLING_AE_TITLE = "RECONCILE";

    /**
     * @param partialFilesRemoved   transfers left in {@code incoming/}, never acknowledged
     * @param orphansReregistered   files without a row, now in {@code orphans/} with their rows and a prepare job
     * @param orphansUnreadable     files in {@code orphans/} whose header cannot be read (or lacks valid UIDs): kept, not registered
     * @param orphansDuplicate      files in {@code orphans/} whose SOP Instance UID has a row for another file: kept, not registered
     * @param rowsWithoutFile       this node's instance rows whose file is gone
     */
    public record Result(int partialFilesRemoved, int orphansReregistered, int orphansUnreadable, int orphansDuplicate, int rowsWithoutFile) {
        /** Files left in {@code orphans/} for an operator to look at. */
        public int orphansKept() { return orphansUnreadable + orphansDuplicate; }
    }

    private enum Outcome {
        REREGISTERED("reregistered"), UNREADABLE("unreadable"), DUPLICATE("duplicate"), ALREADY_PLACED(null);

        final String tag;

        Outcome(String tag) { this.tag = tag; }

        /** {@code triage_spool_orphans_total{outcome}}: counted on every run, so a kept file is counted again at each start. */
        Counter counter() {
            return Counter.builder("triage.spool.orphans")
                    .description("Spooled files the reconciler found without an instance row, by what became of them")
                    .tag("outcome", tag).register(Metrics.globalRegistry);
        }
    }

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
        // Unrecorded files are told by SOP Instance UID (the file name) against every node's rows, never by path or node
        // name: a renamed host or a remounted spool must not make acknowledged files look unrecorded.
        List<Path> spooled = spooledFiles();
        List<Path> unrecorded = new ArrayList<>();
        try (Connection c = database.connection()) {
            for (int from = 0; from < spooled.size(); from += 1000) {
                List<Path> chunk = spooled.subList(from, Math.min(spooled.size(), from + 1000));
                Set<String> recorded = InstanceRecords.recorded(c, chunk.stream().map(SpoolReconciler::sopInstanceUid).toList());
                for (Path file : chunk) {
                    if (!recorded.contains(sopInstanceUid(file))) unrecorded.add(file);
                }
            }
        }
        int[] outcomes = new int[Outcome.values().length];
        for (Outcome o : Outcome.values()) if (o.tag != null) o.counter(); // a zero on /metrics rather than nothing
        AssociationInfo association = new AssociationInfo("reconcile-" + settings.node() + "-" + System.currentTimeMillis(),
                CALLING_AE_TITLE, "", "spool " + settings.spool(), Instant.now());
        for (Path file : unrecorded) {
            Outcome outcome = place(file, association);
            if (outcome == null) continue; // gone: another run or ingest placed it meanwhile
            outcomes[outcome.ordinal()]++;
            if (outcome.tag != null) outcome.counter().increment();
        }
        int reregistered = outcomes[Outcome.REREGISTERED.ordinal()];
        if (reregistered > 0) {
            // Released, so study completion treats the re-registered studies as it treats a finished send.
            try (Connection c = database.connection()) {
                InstanceRecords.recordAssociation(c, association, settings.node(), true, reregistered);
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
        Result result = new Result(partial, reregistered, outcomes[Outcome.UNREADABLE.ordinal()], outcomes[Outcome.DUPLICATE.ordinal()], missing);
        if (partial > 0) log.info("spool reconciled: removed {} partial transfer(s)", partial);
        if (reregistered > 0) log.warn("spool reconciled: {} file(s) without an instance row registered again from {} (association {})",
                reregistered, settings.orphans(), association.id());
        if (result.orphansKept() > 0) log.warn("spool reconciled: {} file(s) in {} cannot be registered ({} unreadable, {} duplicate); "
                + "they are kept for an operator", result.orphansKept(), settings.orphans(), result.orphansUnreadable(), result.orphansDuplicate());
        if (missing > 0) log.error("{} instance row(s) of node {} point at files that are gone", missing, settings.node());
        return result;
    }

    /** Every {@code .dcm} file in the spool but {@code incoming/}; one that goes while the walk passes is not an error. */
    private List<Path> spooledFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(settings.spool(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                return directory.equals(settings.incoming()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && file.toString().endsWith(".dcm")) files.add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }
        });
        return files;
    }

    /** Moves one unrecorded file under {@code orphans/} and registers it from its header; null when the file went meanwhile. */
    private Outcome place(Path file, AssociationInfo association) throws IOException, SQLException {
        Part10Meta meta = null;
        InstanceHeader header;
        try {
            meta = Part10.readMeta(file);
            header = InstanceFiles.validate(file, meta.dataSetOffset(), meta.transferSyntaxUid());
            if (!Uids.isValid(header.sopInstanceUid()) || !Uids.isValid(header.studyInstanceUid()) || !Uids.isValid(header.seriesInstanceUid())) {
                throw new IOException("SOP, Study or Series Instance UID missing or invalid");
            }
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException unreadable) {
            if (!Files.exists(file)) return null;
            Path kept = moveToOrphans(file);
            if (kept == null) return null;
            log.warn("spool file {} (SOP Instance UID {} by its {}) has no instance row and cannot be read ({}); kept as {}", file,
                    meta != null ? meta.sopInstanceUid() : sopInstanceUid(file), meta != null ? "file meta" : "name", unreadable.getMessage(), kept);
            return Outcome.UNREADABLE;
        }
        String sop = header.sopInstanceUid();
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                // The lock ingest takes: a copy of this instance arriving now waits, then finds this row (or this run finds its).
                InstanceRecords.lockSopInstance(c, sop);
                if (!Files.exists(file)) {
                    c.rollback();
                    return null;
                }
                InstanceRecords.StoredFile existing = InstanceRecords.storedFile(c, sop);
                if (existing != null && existing.path().equals(file)) {
                    c.rollback();
                    return Outcome.ALREADY_PLACED; // ingest stored it here meanwhile, or a file named otherwise was registered earlier
                }
                Path placed = moveToOrphans(file);
                if (placed == null) {
                    c.rollback();
                    return null;
                }
                if (existing != null) {
                    c.rollback();
                    log.warn("spool file {} has no instance row of its own; its SOP Instance UID {} is recorded for {} on node {}; kept as {}",
                            file, sop, existing.path(), existing.node(), placed);
                    return Outcome.DUPLICATE;
                }
                ReceivedInstance instance = new ReceivedInstance(association, meta.transferSyntaxUid(), Priority.MEDIUM, placed,
                        Files.size(placed), header);
                InstanceRecords.insert(c, instance, settings.node(), placed.toString(), instance.fileSize());
                JobQueue.enqueue(c, JobKind.PREPARE, sop, JobKind.ROUTINE, settings.node());
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                Transactions.rollbackQuietly(c); // the file waits in orphans/ for the next run
                throw e;
            }
        }
        log.warn("spool file {} had no instance row (database restored?): registered again as SOP Instance {} of study {}, file {}",
                file, sop, header.studyInstanceUid(), file.startsWith(settings.orphans()) ? "left in place" : "moved to orphans/");
        return Outcome.REREGISTERED;
    }

    /**
     * Moves a file to the same relative place under {@code orphans/} (a file already there stays where it is) and makes
     * the move durable; returns where it is now, or null when it went meanwhile.
     */
    private Path moveToOrphans(Path file) throws IOException {
        if (file.startsWith(settings.orphans())) return file;
        Path relative = settings.spool().relativize(file);
        Path target = settings.orphans().resolve(relative);
        // Never over another kept file: a numbered sibling folder keeps the file's name (its SOP Instance UID).
        for (int n = 2; Files.exists(target); n++) {
            Path folder = relative.getParent() == null ? Path.of("~" + n) : Path.of(relative.getParent() + "~" + n);
            target = settings.orphans().resolve(folder).resolve(relative.getFileName());
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return null;
        }
        // The new entry, every folder made for it up to the spool, and the entry's removal from its old folder.
        for (Path folder = target.getParent(); folder.startsWith(settings.spool()); folder = folder.getParent()) {
            DiskSync.directory(folder);
        }
        DiskSync.directory(file.getParent());
        return target;
    }
}
