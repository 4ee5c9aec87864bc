package org.triagerouter.dicom.net;

/**
 * What the store SCP does with each received instance: one instance in, one DIMSE status out
 * (the pynetdicom handle_store shape). The SCP has already checked that the instance is complete
 * and that its SOP Instance UID matches the request; the handler makes it durable.
 */
@FunctionalInterface
public interface StoreHandler {
    DimseStatus onStore(ReceivedInstance instance);

    /**
     * Asked before a data set is received: null to receive it, or a status to refuse it with at once
     * (the data set is then read and discarded, never written). Lets a full disk refuse cheaply.
     */
    default DimseStatus admit(AssociationInfo association, String sopClassUid, String sopInstanceUid) { return null; }

    /** Called once per association when it ends; {@code released} is false after an abort or a broken connection. */
    default void onAssociationClosed(AssociationInfo association, boolean released, int instancesStored) {}
}
