package org.triagerouter.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.dicom.net.StoreHandler;

/**
 * Files each received instance as {@code <spool>/<StudyInstanceUID>/<SOPInstanceUID>.dcm} and logs it.
 * The durable version (fsync and a database row before success) replaces this in the ingest stage.
 */
final class SpoolStoreHandler implements StoreHandler {
    private static final Logger log = LoggerFactory.getLogger(SpoolStoreHandler.class);
    static final String NO_STUDY_UID = "no-valid-study-uid";

    private final Path spool;

    SpoolStoreHandler(Path spool) { this.spool = spool; }

    @Override
    public DimseStatus onStore(ReceivedInstance instance) {
        String study = instance.header().studyInstanceUid();
        // UIDs become path segments: only a syntactically valid UID may name a folder.
        Path target = spool.resolve(Uids.isValid(study) ? study : NO_STUDY_UID).resolve(instance.sopInstanceUid() + ".dcm");
        try {
            Files.createDirectories(target.getParent());
            Files.move(instance.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.error("{} cannot spool {}: {}", instance.association().id(), instance.sopInstanceUid(), e.getMessage());
            return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "spool cannot take the instance");
        }
        log.info("{} stored {} {} study {} from {} ({} bytes, {}, priority {})", instance.association().id(),
                instance.header().modality(), instance.sopInstanceUid(), study, instance.association().callingAeTitle(),
                instance.fileSize(), instance.transferSyntaxUid(), instance.priority());
        return DimseStatus.SUCCESS;
    }

    @Override
    public void onAssociationClosed(AssociationInfo association, boolean released, int instancesStored) {
        // Recorded in the database by the ingest stage; logged by the SCP for now.
    }
}
