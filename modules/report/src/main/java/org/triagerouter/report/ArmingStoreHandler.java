package org.triagerouter.report;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.dicom.net.StoreHandler;

/**
 * The ingest handler with this node's completion timers beside it: each image stored arms its study's quiet
 * timer, and the end of its association (recorded first) arms the grace timer of every study it brought.
 */
public final class ArmingStoreHandler implements StoreHandler {
    private final StoreHandler handler;
    private final CompletionTimers timers;
    /** The studies each open association has brought images of. */
    private final ConcurrentHashMap<String, Set<String>> studiesByAssociation = new ConcurrentHashMap<>();

    public ArmingStoreHandler(StoreHandler handler, CompletionTimers timers) {
        this.handler = handler;
        this.timers = timers;
    }

    @Override
    public DimseStatus admit(AssociationInfo association, String sopClassUid, String sopInstanceUid) {
        return handler.admit(association, sopClassUid, sopInstanceUid);
    }

    @Override
    public DimseStatus onStore(ReceivedInstance instance) {
        DimseStatus status = handler.onStore(instance);
        // Only images open a study for reporting (an SR or KOS does not).
        if (!status.isFailure() && instance.header().rows() > 0) {
            String study = instance.header().studyInstanceUid();
            studiesByAssociation.computeIfAbsent(instance.association().id(), id -> ConcurrentHashMap.newKeySet()).add(study);
            timers.instanceReceived(study);
        }
        return status;
    }

    @Override
    public void onAssociationClosed(AssociationInfo association, boolean released, int instancesStored) {
        try {
            handler.onAssociationClosed(association, released, instancesStored); // the release is in the database before a timer reads it
        } finally {
            Set<String> studies = studiesByAssociation.remove(association.id());
            if (studies != null) timers.associationClosed(studies);
        }
    }
}
