package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dispatch.Destination;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.store.Database;
import org.triagerouter.store.testing.PostgresExtension;

/** `triage-router retry`: failed deliveries go back to the queue with fresh attempts; others are left alone. */
class RetryCommandTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;

    @Test
    void failedDeliveriesAreQueuedAgain() throws Exception {
        Database database = postgres.database();
        deliverOneStudy(database);
        long pacs = deliveryTo(database, "pacs"), archive = deliveryTo(database, "archive"), other = deliveryTo(database, "other");
        assertEquals(1, new org.triagerouter.store.FailedWork(database).retryDeliveries(archive));
        assertEquals("pending", string(database, "select state from delivery where id = " + archive));
        assertEquals("queued 0", string(database, "select state || ' ' || attempts from job where subject = '" + archive + "'"));
        assertEquals("failed", string(database, "select state from delivery where id = " + pacs), "only the one asked for");
        assertEquals(1, new org.triagerouter.store.FailedWork(database).retryDeliveries(), "then every failed one");
        assertEquals("delivered", string(database, "select state from delivery where id = " + other));
    }

    /** One study through the stages, its result sent to three destinations: pacs and archive are down (their one attempt fails). */
    private void deliverOneStudy(Database database) throws Exception {
        Path image = work.resolve("image.dcm");
        SyntheticChestImages.write(SyntheticChestImages.Spec.chest("DX", "PA", false, 200, 160, 1), image);
        String sop;
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, "node-a"), "MOD")) {
            sop = modality.store(image);
        }
        InlinePipeline stages = new InlinePipeline(database, "node-a");
        ModelManifest model = ChosenScores.manifest("m", "1", "default", 0.5);
        stages.prepareAndScore(model, Map.of(sop, 0.9));
        try (DicomServer up = new DicomServer(new ServerSettings("OTHER", "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4, Duration.ofSeconds(5), Duration.ofSeconds(5), work.resolve("other"), null),
                instance -> DimseStatus.SUCCESS)) {
            up.start();
            List<Destination> destinations = List.of(new Destination("pacs", new RemoteAe("PACS", "127.0.0.1", 1), false),
                    new Destination("archive", new RemoteAe("ARCHIVE", "127.0.0.1", 1), false),
                    new Destination("other", new RemoteAe("OTHER", "127.0.0.1", up.port()), false));
            stages.report(stages.reportSettings(model, destinations), InstanceFiles.readHeader(image).studyInstanceUid());
            stages.deliver(destinations);
        }
    }

    private static long deliveryTo(Database database, String destination) throws Exception {
        return Long.parseLong(string(database, "select id from delivery where destination = '" + destination + "'"));
    }

    private static String string(Database database, String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
