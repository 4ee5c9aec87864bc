package org.triagerouter.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.dicom.net.StoreHandler;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSize;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Transactions;

/**
 * The ingest stage: a received instance is answered success only once its file is fsynced in the
 * spool and its study, series, instance and {@code prepare} job rows are committed. Whatever fails
 * first, the answer is 0xA700 and nothing half-written remains: no row without its file, no file
 * without its row (a crash between rename and commit leaves a file that {@link SpoolReconciler} registers again).
 */
public final class DurableStoreHandler implements StoreHandler {
    private static final Logger log = LoggerFactory.getLogger(DurableStoreHandler.class);

    private final Database database;
    private final IngestSettings settings;
    private final DatabaseSize databaseSize;

    public DurableStoreHandler(Database database, IngestSettings settings) {
        this(database, settings, null);
    }

    /** @param databaseSize the database's size against its ceiling; null: no ceiling */
    public DurableStoreHandler(Database database, IngestSettings settings, DatabaseSize databaseSize) {
        this.database = database;
        this.settings = settings;
        this.databaseSize = databaseSize;
    }

    @Override
    public DimseStatus admit(AssociationInfo association, String sopClassUid, String sopInstanceUid) {
        long usable;
        try {
            usable = Files.getFileStore(settings.spool()).getUsableSpace();
        } catch (IOException e) {
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "spool unavailable");
        }
        if (usable < settings.minFreeBytes()) {
            log.warn("{} refusing {}: {} MB free under the spool, floor {} MB", association.id(), sopInstanceUid,
                    usable >> 20, settings.minFreeBytes() >> 20);
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router disk below its free-space floor");
        }
        if (databaseSize != null && databaseSize.overCeiling()) {
            log.warn("{} refusing {}: {}", association.id(), sopInstanceUid, databaseSize.problem());
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router database above its size ceiling");
        }
        return null;
    }

    @Override
    public DimseStatus onStore(ReceivedInstance instance) {
        String sop = instance.sopInstanceUid();
        String id = instance.association().id();
        if (!Uids.isValid(instance.header().studyInstanceUid()) || !Uids.isValid(instance.header().seriesInstanceUid())) {
            log.warn("{} refusing {}: Study or Series Instance UID missing or invalid", id, sop);
            return DimseStatus.of(DimseStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, "Study or Series Instance UID missing or invalid");
        }
        try {
            DiskSync.file(instance.file());
        } catch (IOException e) {
            log.error("{} cannot fsync {}: {}", id, sop, e.getMessage());
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router disk cannot take the instance");
        }
        Path target = SpoolLayout.pathOf(settings.spool(), instance.header());
        boolean moved = false;
        boolean committing = false;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                InstanceRecords.lockSopInstance(c, sop);
                InstanceRecords.StoredFile existing = InstanceRecords.storedFile(c, sop);
                if (existing != null) {
                    // Already stored. If its file was lost on this node, the copy just received takes its place.
                    if (existing.node().equals(settings.node()) && !existing.deleted() && !Files.exists(existing.path())) {
                        moveIntoSpool(instance.file(), existing.path());
                        log.warn("{} duplicate {} restored a missing spool file", id, sop);
                    } else {
                        Files.deleteIfExists(instance.file());
                        log.info("{} duplicate {} already stored; answered success", id, sop);
                    }
                    c.commit();
                    return DimseStatus.SUCCESS;
                }
                moveIntoSpool(instance.file(), target);
                moved = true;
                InstanceRecords.insert(c, instance, settings.node(), target.toString(), instance.fileSize());
                // Pinned to this node: prepare reads the file, which only this node's spool holds.
                JobQueue.enqueue(c, JobKind.PREPARE, sop,
                        instance.priority() == org.triagerouter.dicom.net.Priority.HIGH ? JobKind.URGENT : JobKind.ROUTINE, settings.node());
                committing = true;
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                Transactions.rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException | IOException | RuntimeException e) {
            return failed(instance, target, moved, committing, e);
        }
        log.info("{} stored {} {} study {} from {} ({} bytes, priority {})", id, instance.header().modality(), sop,
                instance.header().studyInstanceUid(), instance.association().callingAeTitle(), instance.fileSize(), instance.priority());
        return DimseStatus.SUCCESS;
    }

    private static void moveIntoSpool(Path temp, Path target) throws IOException {
        Path studyDirectory = target.getParent();
        for (int attempt = 1; ; attempt++) {
            Files.createDirectories(studyDirectory);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                break;
            } catch (NoSuchFileException e) {
                // Spool retention removes a study's folder once it is empty: it may have done so between the two calls.
                if (attempt == 3 || !Files.exists(temp)) throw e;
            }
        }
        DiskSync.directory(studyDirectory);
        // Always, not only when this thread made the folder: another may have made it and not yet synced its entry.
        DiskSync.directory(studyDirectory.getParent());
    }

    /**
     * Undoes what reached the disk. A failure during commit is ambiguous (the commit may have landed):
     * then the row decides, and when the database cannot say, the file stays for the reconciler.
     */
    private DimseStatus failed(ReceivedInstance instance, Path target, boolean moved, boolean committing, Exception cause) {
        String id = instance.association().id();
        String sop = instance.sopInstanceUid();
        log.error("{} cannot store {}: {}", id, sop, cause.getMessage());
        if (moved && committing) {
            // Ask under the same advisory lock: it is held until the original transaction really ends, so a
            // commit still in flight is waited for instead of being mistaken for one that failed.
            try (Connection c = database.connection()) {
                c.setAutoCommit(false);
                try (var timeout = c.createStatement()) {
                    timeout.execute("set local lock_timeout = '30s'");
                }
                InstanceRecords.lockSopInstance(c, sop);
                boolean landed = InstanceRecords.exists(c, sop);
                c.rollback();
                if (landed) {
                    log.warn("{} commit of {} reported failure but landed; answered success", id, sop);
                    return DimseStatus.SUCCESS;
                }
            } catch (SQLException e) {
                log.warn("{} cannot tell whether {} was committed; its file stays for reconciliation", id, sop);
                return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "router database unavailable");
            }
        }
        try {
            Files.deleteIfExists(moved ? target : instance.file());
        } catch (IOException e) {
            log.error("{} cannot remove {} after failure; it stays for reconciliation: {}", id, sop, e.getMessage());
        }
        return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES,
                cause instanceof SQLException ? "router database unavailable" : "router disk cannot take the instance");
    }

    @Override
    public void onAssociationClosed(AssociationInfo association, boolean released, int instancesStored) {
        try (Connection c = database.connection()) {
            InstanceRecords.recordAssociation(c, association, settings.node(), released, instancesStored);
        } catch (SQLException e) {
            log.warn("{} cannot record the end of the association: {}", association.id(), e.getMessage());
        }
    }
}
