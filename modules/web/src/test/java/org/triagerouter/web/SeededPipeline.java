package org.triagerouter.web;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triagerouter.dicom.Uids;
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
import org.triagerouter.store.JobKind;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.Transactions;

/**
 * Four studies taken through the stages' own code, as the dashboard finds them: A urgent (its delivery failed), B routine
 * (delivered), C still being prepared (it came in JPEG-LS, which prepare cannot decode), D high (no destination). They
 * arrived B, A, C, D, 50, 30, 10 and 5 minutes ago; a prepare job has waited 42 seconds.
 */
final class SeededPipeline {
    static final String A = "2.25.1001", B = "2.25.1002", C = "2.25.1003", D = "2.25.1004";
    private static final String NODE = "n1";
    long failedDeliveryId, failedDispatchJobId, failedPrepareJobId;

    private final Database database;
    private final Path work;
    private final InlinePipeline stages;
    private final ModelManifest model;

    SeededPipeline(Database database, Path work) throws Exception {
        this.database = database;
        this.work = work;
        this.stages = new InlinePipeline(database, NODE);
        this.model = ChosenScores.manifest("m", "1", "balanced", 0.5);
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, NODE), "MOD")) {
            modality.store(image(B, "PID-B"));
            modality.store(image(A, "PID-A"));
            modality.store(jpegLs(image(C, "PID-C")));
            modality.store(image(D, "PID-D"));
        }
        stages.prepareAndScore(model, Map.of(A + ".1", 0.93, B + ".1", 0.12, D + ".1", 0.71));
        try (DicomServer pacs = new DicomServer(new ServerSettings("PACS", "127.0.0.1", 0, Set.of(), Uids.DECODABLE_TRANSFER_SYNTAXES,
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4, Duration.ofSeconds(5), Duration.ofSeconds(5), work.resolve("pacs"), null),
                instance -> DimseStatus.SUCCESS)) {
            pacs.start();
            reportAndDeliver(B, List.of(new Destination("pacs", new RemoteAe("PACS", "127.0.0.1", pacs.port()), false)));
        }
        reportAndDeliver(A, List.of(new Destination("pacs", new RemoteAe("PACS", "127.0.0.1", 1), false))); // the PACS is down by then
        reportAndDeliver(D, List.of());
        Transactions.run(database, c -> JobQueue.enqueue(c, JobKind.PREPARE, "queued-one", JobKind.ROUTINE, NODE));
        failedDeliveryId = id("select d.id from delivery d join study_result r on r.id = d.study_result_id join study s on s.id = r.study_id "
                + "where s.study_instance_uid = ? and d.state = 'failed'", A);
        failedDispatchJobId = id("select id from job where kind = 'dispatch' and subject = ? and state = 'failed'", String.valueOf(failedDeliveryId));
        failedPrepareJobId = id("select id from job where kind = 'prepare' and subject = ? and state = 'failed'", C + ".1");
        // The stages stamp everything now: move the arrivals and the waiting job back to when the dashboard should see them.
        try (Connection c = database.connection()) {
            for (Map.Entry<String, Integer> arrival : Map.of(B, 50, A, 30, C, 10, D, 5).entrySet()) {
                exec(c, "update study set first_received_at = now() - ? * interval '1 minute', last_received_at = now() - ? * interval '1 minute' "
                        + "where study_instance_uid = ?", arrival.getValue(), arrival.getValue(), arrival.getKey());
                exec(c, "update instance set received_at = now() - ? * interval '1 minute' where sop_instance_uid = ?", arrival.getValue(),
                        arrival.getKey() + ".1");
            }
            exec(c, "update job set created_at = now() - interval '42 seconds' where subject = 'queued-one'");
        }
    }

    /** A one-image study: a 200 × 300 frontal chest image, its series and instance UIDs the study's with .0 and .1. */
    private Path image(String study, String patientId) throws Exception {
        Path file = work.resolve(study + ".dcm");
        SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, 300, 200, study.hashCode(), patientId, study, study + ".0",
                study + ".1"), file);
        return file;
    }

    /** The same image in JPEG-LS (dcmtk's dcmcjpls), a transfer syntax the router stores but cannot decode. */
    private Path jpegLs(Path file) throws Exception {
        Path jls = work.resolve(file.getFileName() + ".jls");
        Process p = new ProcessBuilder("dcmcjpls", file.toString(), jls.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("dcmcjpls: " + output);
        return jls;
    }

    /** The report stage on one study, then the dispatch stage with one attempt per delivery. */
    private void reportAndDeliver(String study, List<Destination> destinations) throws Exception {
        stages.report(stages.reportSettings(model, destinations), study);
        stages.deliver(destinations);
    }

    private long id(String sql, String parameter) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) throw new IllegalStateException("seeding went wrong: nothing for " + sql + " with " + parameter);
                return rs.getLong(1);
            }
        }
    }

    static void exec(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
            s.executeUpdate();
        }
    }
}
