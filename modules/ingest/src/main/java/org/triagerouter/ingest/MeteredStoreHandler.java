package org.triagerouter.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.dicom.net.StoreHandler;

/**
 * The ingest stage's figures for /metrics: instances answered per DIMSE status
 * ({@code triage_instances_received_total{status="0x0000"}}) and the time from the last byte received
 * to the answer ({@code triage_ingest_commit_seconds}: fsync, rename, database commit).
 */
public final class MeteredStoreHandler implements StoreHandler {
    private final StoreHandler handler;
    private final Timer commit = Timer.builder("triage.ingest.commit").description("From an instance's last byte to its C-STORE answer")
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
            .register(Metrics.globalRegistry);

    public MeteredStoreHandler(StoreHandler handler) { this.handler = handler; }

    @Override
    public DimseStatus admit(AssociationInfo association, String sopClassUid, String sopInstanceUid) {
        DimseStatus refused = handler.admit(association, sopClassUid, sopInstanceUid);
        if (refused != null) count(refused);
        return refused;
    }

    @Override
    public DimseStatus onStore(ReceivedInstance instance) {
        long start = System.nanoTime();
        DimseStatus status = handler.onStore(instance);
        commit.record(Duration.ofNanos(System.nanoTime() - start));
        count(status);
        return status;
    }

    @Override
    public void onAssociationClosed(AssociationInfo association, boolean released, int instancesStored) {
        handler.onAssociationClosed(association, released, instancesStored);
    }

    private static void count(DimseStatus status) {
        Counter.builder("triage.instances.received").description("C-STOREs answered by the ingest stage, per DIMSE status")
                .tag("status", String.format("0x%04X", status.code())).register(Metrics.globalRegistry).increment();
    }
}
