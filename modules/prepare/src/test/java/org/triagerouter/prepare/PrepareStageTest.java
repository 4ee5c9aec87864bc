package org.triagerouter.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.ingest.DurableStoreHandler;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.store.Database;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.RetryPolicy;
import org.triagerouter.store.StageWorker;
import org.triagerouter.store.testing.PostgresExtension;

/** Ingest real files, run the prepare stage from the queue, and look at what it left in PostgreSQL. */
class PrepareStageTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perClass();

    @TempDir
    Path work;

    @Test
    void eligibleImagesAreRenderedAndQueuedForInferenceOthersSayWhy() throws Exception {
        Database database = postgres.database();
        List<Path> images = new ArrayList<>(SyntheticChestImages.writeSet(work.resolve("images"), 4, 1250, 1024, 3));
        // images: 0 DX PA MONO2, 1 DX LL, 2 CR PA MONO1, 3 CR LL; plus a JPEG-LS copy of 0, accepted store-only.
        Path jls = work.resolve("jls.dcm");
        Process p = new ProcessBuilder("dcmcjpls", images.get(0).toString(), jls.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        p = new ProcessBuilder("dcmodify", "-nb", "-gin", jls.toString()).inheritIO().start(); // new SOP Instance UID
        assertEquals(0, p.waitFor());
        images.add(jls);
        ingest(database, images);

        ModelGeometry model = new ModelGeometry(64, 48, ModelGeometry.Fit.LETTERBOX);
        PrepareSettings settings = new PrepareSettings(EligibilityRules.defaults(), 512, "node-a", 1, List.of(model, model));
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker worker = new StageWorker(database, leases, new StageWorker.Settings(JobKind.PREPARE, "prepare-1", "node-a", 4,
                     Duration.ofMillis(200), RetryPolicy.DEFAULT), new PrepareStage(database, settings)).start()) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (count(database, "select count(*) from job where kind = 'prepare' and state in ('queued', 'running')") > 0
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        }
        assertEquals(2, count(database, "select count(*) from job where kind = 'prepare' and state = 'done' and subject in "
                + "(select sop_instance_uid from instance where view_position = 'LL')"));
        assertEquals(2, count(database, "select count(*) from eligibility where not eligible and reason like 'ViewPosition is ''LL''%'"));
        assertEquals(3, count(database, "select count(*) from eligibility where eligible"));
        assertEquals(2, count(database, "select count(*) from canonical_image"));
        assertEquals(2, count(database, "select count(*) from model_input where geometry = '64x48 letterbox' and width = 64 and height = 48"
                + " and length(pixels) = 64 * 48"), "one input per image and geometry, at the model's geometry");
        assertEquals(2, count(database, "select count(*) from job where kind = 'infer' and state = 'queued'"));
        assertEquals("unsupported transfer syntax 1.2.840.10008.1.2.4.80 (no Java decoder; stored only)",
                string(database, "select last_error from job where kind = 'prepare' and state = 'failed'"));
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("select png, width, height, source_width, source_height, window_source from canonical_image");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                BufferedImage png = ImageIO.read(new ByteArrayInputStream(rs.getBytes(1)));
                assertEquals(rs.getInt(2), png.getWidth());
                assertEquals(rs.getInt(3), png.getHeight());
                assertEquals(512, Math.max(png.getWidth(), png.getHeight()), "longest side capped");
                assertEquals(1024, rs.getInt(4));
                assertEquals(1250, rs.getInt(5));
                assertEquals("header", rs.getString(6));
            }
        }
    }

    private void ingest(Database database, List<Path> files) throws Exception {
        IngestSettings ingest = new IngestSettings(work.resolve("spool"), 0, "node-a");
        List<String> syntaxes = new ArrayList<>(Uids.DECODABLE_TRANSFER_SYNTAXES);
        syntaxes.add(Uids.JPEG_LS_LOSSLESS); // a site that stores JPEG-LS it cannot decode
        ServerSettings scp = new ServerSettings("TRIAGE", "127.0.0.1", 0, Set.of(), syntaxes, ServerSettings.DEFAULT_MAX_PDU_LENGTH, 4,
                Duration.ofSeconds(10), Duration.ofSeconds(30), ingest.incoming(), null);
        try (DicomServer server = new DicomServer(scp, new DurableStoreHandler(database, ingest))) {
            server.start();
            List<Part10Meta> metas = new ArrayList<>();
            for (Path f : files) metas.add(Part10.readMeta(f));
            try (ClientAssociation a = ClientAssociation.open(ClientSettings.defaults("TEST"), new RemoteAe("TRIAGE", "127.0.0.1", server.port()),
                    ClientAssociation.contextsFor(metas))) {
                for (Path f : files) assertEquals(DimseStatus.SUCCESS, a.store(f, Priority.MEDIUM), f.toString());
                a.release();
            }
        }
    }

    private static long count(Database database, String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String string(Database database, String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
