package org.triagerouter.ingest.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.ingest.DurableStoreHandler;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.store.Database;

/**
 * Part 10 files handed to the ingest stage's handler as one C-STORE association brings them, without the network: each
 * becomes its spool file, study, series and instance rows and prepare job; closing records the association as released.
 */
public final class InboundAssociation implements AutoCloseable {
    private final DurableStoreHandler handler;
    private final IngestSettings settings;
    private final AssociationInfo association;
    private int stored;

    public InboundAssociation(Database database, IngestSettings settings, String callingAeTitle) {
        this.handler = new DurableStoreHandler(database, settings);
        this.settings = settings;
        this.association = new AssociationInfo("test-" + UUID.randomUUID(), callingAeTitle, "TRIAGE", "127.0.0.1", Instant.now());
    }

    /** Stores a copy of {@code file} (the original stays where it is); returns its SOP Instance UID. */
    public String store(Path file, Priority priority) throws IOException {
        Files.createDirectories(settings.incoming());
        Path received = Files.copy(file, settings.incoming().resolve("rx-" + UUID.randomUUID() + ".part"));
        ReceivedInstance instance = new ReceivedInstance(association, Part10.readMeta(received).transferSyntaxUid(), priority, received,
                Files.size(received), InstanceFiles.readHeader(received));
        DimseStatus status = handler.onStore(instance);
        if (!status.isSuccess()) throw new AssertionError("ingest answered " + status + " for " + file);
        stored++;
        return instance.sopInstanceUid();
    }

    public String store(Path file) throws IOException { return store(file, Priority.MEDIUM); }

    @Override
    public void close() { handler.onAssociationClosed(association, true, stored); }
}
