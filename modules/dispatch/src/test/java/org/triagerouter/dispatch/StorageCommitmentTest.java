package org.triagerouter.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.ReferencedInstance;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dicom.net.StorageCommitment;
import org.triagerouter.dispatch.testing.InlinePipeline;
import org.triagerouter.inference.ChosenScores;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.testing.PostgresExtension;
import org.triagerouter.store.testing.StageRun;

/**
 * Storage Commitment against a real PACS (Orthanc, which reports on a new association to the router's listener):
 * the delivery's SR and result image committed; an instance the PACS lacks fails the commitment with its reason;
 * a PACS that cannot reach the router times out; a destination without the SOP class fails it; the delivery stays delivered.
 */
class StorageCommitmentTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    static ModelManifest cxr;

    @TempDir
    Path work;
    Database database;
    IngestSettings ingest;
    InlinePipeline stages;
    int imageSeed = 70;

    @BeforeAll
    static void model() throws Exception { cxr = ChosenScores.manifest("cxr", "1", "default", 0.5); }

    @BeforeEach
    void database() {
        database = postgres.database();
        ingest = new IngestSettings(work.resolve("spool"), 0, "node-a");
        stages = new InlinePipeline(database, "node-a");
    }

    @Test
    void orthancCommitsTheSrAndResultImageOnANewAssociation() throws Exception {
        try (DicomServer router = listener(); OrthancServer orthanc = orthancReportingTo(router.port())) {
            Destination pacs = new Destination("orthanc", new RemoteAe("ORTHANC", "127.0.0.1", orthanc.dicomPort), false, false, null, true, true);
            String study = deliver(pacs, new StorageCommitmentSettings(Duration.ofMinutes(5), Duration.ofMillis(500)));
            assertEquals("delivered", string("select state from delivery"));
            assertEquals("committed", awaitState("requested"));
            assertEquals(2, count("select cardinality(sop_instance_uids) from storage_commitment"), "the SR and the result image");
            assertEquals(Set.of(org.triagerouter.dicom.sr.TriageReportWriter.COMPREHENSIVE_SR, org.triagerouter.dicom.sr.ResultImageWriter.SECONDARY_CAPTURE),
                    Set.of((String[]) array("select sop_class_uids from storage_commitment")));
            String reportedBy = string("select reported_by from storage_commitment");
            assertTrue(reportedBy.startsWith("ORTHANC@") && reportedBy.contains("new association"), reportedBy);
            assertEquals(null, string("select reason from storage_commitment"));
            assertTrue(string("select st.study_instance_uid from storage_commitment c join delivery d on d.id = c.delivery_id "
                    + "join study_result r on r.id = d.study_result_id join study st on st.id = r.study_id").equals(study));
        }
    }

    @Test
    void anInstanceThePacsLacksFailsTheCommitmentWithItsReason() throws Exception {
        try (DicomServer router = listener(); OrthancServer orthanc = orthancReportingTo(router.port())) {
            RemoteAe remote = new RemoteAe("ORTHANC", "127.0.0.1", orthanc.dicomPort);
            deliver(new Destination("orthanc", remote, false, false, null, false, false), StorageCommitmentSettings.defaults());
            long deliveryId = count("select id from delivery");
            String sr = string("select r.sr_sop_instance_uid from study_result r");
            ReferencedInstance stored = new ReferencedInstance(org.triagerouter.dicom.sr.TriageReportWriter.COMPREHENSIVE_SR, sr);
            ReferencedInstance missing = new ReferencedInstance(org.triagerouter.dicom.sr.TriageReportWriter.COMPREHENSIVE_SR, Uids.newUid());
            StorageCommitments commitments = new StorageCommitments(database, new StorageCommitmentSettings(Duration.ofMinutes(5), Duration.ZERO));
            try (ClientAssociation a = ClientAssociation.open(client(), remote, List.of(StorageCommitment.proposedContext(1)))) {
                commitments.request(a, deliveryId, "test", List.of(stored, missing));
                a.release();
            }
            assertEquals("failed", awaitState("requested"));
            assertEquals(missing.sopInstanceUid() + " 0x0112 no such object instance", string("select reason from storage_commitment"));
            assertEquals(List.of(missing.sopInstanceUid()), List.of((String[]) array("select failed_instance_uids from storage_commitment")));
            assertEquals("delivered", string("select state from delivery"));
        }
    }

    @Test
    void aPacsThatCannotReportTimesOut() throws Exception {
        int nobody = freePort();
        try (OrthancServer orthanc = orthancReportingTo(nobody)) {
            Destination pacs = new Destination("orthanc", new RemoteAe("ORTHANC", "127.0.0.1", orthanc.dicomPort), false, false, null, false, true);
            deliver(pacs, new StorageCommitmentSettings(Duration.ofSeconds(2), Duration.ofMillis(200)));
            assertEquals("requested", string("select state from storage_commitment"));
            assertEquals(0, StorageCommitments.expire(database), "not before its expiry");
            Thread.sleep(2500);
            assertEquals(1, StorageCommitments.expire(database));
            assertEquals("timed_out", string("select state from storage_commitment"));
            assertEquals("no N-EVENT-REPORT within 2 s", string("select reason from storage_commitment"));
            assertEquals("delivered", string("select state from delivery"));
        }
    }

    @Test
    void aDestinationWithoutStorageCommitmentFailsItButNotTheDelivery() throws Exception {
        try (DicomServer plainPacs = new DicomServer(settings("PLAIN"), instance -> DimseStatus.SUCCESS)) {
            plainPacs.start();
            Destination pacs = new Destination("plain", new RemoteAe("PLAIN", "127.0.0.1", plainPacs.port()), false, false, null, false, true);
            deliver(pacs, StorageCommitmentSettings.defaults());
            assertEquals("delivered", string("select state from delivery"));
            assertEquals("failed", string("select state from storage_commitment"));
            assertEquals("the destination does not accept Storage Commitment (SOP class 1.2.840.10008.1.20.1)",
                    string("select reason from storage_commitment"));
        }
    }

    /** A study received, prepared, scored and reported, then delivered to {@code destination}; returns its Study Instance UID. */
    private String deliver(Destination destination, StorageCommitmentSettings commitment) throws Exception {
        String study = Uids.newUid();
        Map<String, Double> chosen = new HashMap<>();
        try (InboundAssociation modality = new InboundAssociation(database, ingest, "MOD")) {
            Path file = work.resolve("image-" + imageSeed + ".dcm");
            SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 200, 160, imageSeed++, "SYN000070", study, Uids.newUid(),
                    Uids.newUid()), file);
            chosen.put(modality.store(file, Priority.MEDIUM), 0.93);
        }
        stages.prepareAndScore(cxr, chosen);
        stages.report(stages.reportSettings(cxr, List.of(destination)), study);
        StageRun.untilIdle(database, JobKind.DISPATCH, null, new DispatchStage(database, new DispatchSettings(List.of(destination), client(), commitment)));
        return study;
    }

    private String awaitState(String from) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String state = string("select state from storage_commitment");
        while (from.equals(state) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            state = string("select state from storage_commitment");
        }
        return state;
    }

    private static ClientSettings client() {
        return new ClientSettings("TRIAGE", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, null);
    }

    private ServerSettings settings(String aeTitle) {
        return new ServerSettings(aeTitle, "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES, ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4,
                Duration.ofSeconds(10), Duration.ofSeconds(30), work.resolve("incoming-" + aeTitle), null);
    }

    /** The router's listener, taking Storage Commitment results as serve wires it. */
    private DicomServer listener() throws Exception {
        DicomServer server = new DicomServer(settings("TRIAGE"), instance -> DimseStatus.SUCCESS,
                new StorageCommitments(database, StorageCommitmentSettings.defaults()));
        server.start();
        return server;
    }

    /** Orthanc knows the router as a modality (its calling AE title), so it can open an association back to report. */
    private OrthancServer orthancReportingTo(int routerPort) throws Exception {
        return OrthancServer.start(work.resolve("orthanc"), """
                "DicomModalities": { "triage": { "AET": "TRIAGE", "Host": "127.0.0.1", "Port": %d, "AllowStorageCommitment": true } },
                """.formatted(routerPort));
    }

    private long count(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String string(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Object array(String sql) throws Exception {
        try (Connection c = database.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getArray(1).getArray();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
