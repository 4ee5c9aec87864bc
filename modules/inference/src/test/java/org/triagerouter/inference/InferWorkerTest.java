package org.triagerouter.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.ingest.IngestSettings;
import org.triagerouter.ingest.testing.InboundAssociation;
import org.triagerouter.prepare.EligibilityRules;
import org.triagerouter.prepare.PrepareRecords;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.testing.PostgresExtension;
import org.triagerouter.store.testing.StageRun;

/** The infer stage from the queue, with the demo model on ONNX Runtime (CPU here) and real PostgreSQL. */
class InferWorkerTest {
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.perTest();
    @TempDir
    static Path modelDir;
    static Path manifest;
    @TempDir
    Path work;

    DatabaseSettings settings;
    Database database;
    LeaseKeeper leases;
    OnnxModel model;

    @BeforeAll
    static void model() throws Exception { manifest = DemoModel.write(modelDir); }

    @BeforeEach
    void setUp() throws Exception {
        database = postgres.database();
        settings = database.settings();
        leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
        model = OnnxModel.open(ModelManifest.load(manifest), ExecutionProvider.AUTO, 1);
    }

    @AfterEach
    void tearDown() {
        leases.close();
        model.close();
    }

    @Test
    void everyQueuedImageIsScoredOnceInFullBatches() throws Exception {
        seed(20);
        try (InferWorker worker = new InferWorker(database, leases, model, new InferSettings(8, Duration.ofMillis(100), Duration.ofMillis(100), "node-a"), "infer-1")) {
            // Queue everything first, then start: the first two batches must be full.
            worker.start();
            awaitDone(20);
        }
        assertEquals(20, count("select count(*) from score"));
        assertEquals(20, count("select count(distinct instance_id) from score"));
        assertEquals(16, count("select count(*) from score where batch_size = 8"), "two full batches of 8");
        assertEquals(20, count("select count(*) from score where provider = 'cpu' and demo_model and model_id = 'triage-demo'"));
        assertEquals(0, count("select count(*) from job where kind = 'infer' and state <> 'done'"));
        // Bright canonical images (even instance ids) score above dark ones with the demo model.
        assertTrue(count("select count(*) from score s join instance i on i.id = s.instance_id where i.id % 2 = 0 and s.score > 0.9") == 10);
        assertTrue(count("select count(*) from score s join instance i on i.id = s.instance_id where i.id % 2 = 1 and s.score < 0.1") == 10);
        assertEquals(10, count("select count(*) from score where priority = 'URGENT'"));
    }

    @Test
    void aPartialBatchRunsOnceItsFirstImageHasWaitedMaxWait() throws Exception {
        seed(3);
        long start = System.nanoTime();
        try (InferWorker worker = new InferWorker(database, leases, model, new InferSettings(8, Duration.ofMillis(400), Duration.ofMillis(100), "node-a"), "infer-1").start()) {
            awaitDone(3);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(3, count("select count(*) from score where batch_size = 3"));
        assertTrue(seconds >= 0.4 && seconds < 5, "ran after " + seconds + " s");
    }

    @Test
    void jobsOfAKilledWorkerProcessComeBackAndEachImageIsScoredOnce() throws Exception {
        seed(5);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), InferWorkerProcess.class.getName(),
                settings.url(), settings.user(), manifest.toString(), "2000", "60000", "16", "doomed-worker");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(modelDir.resolve("child.log").toFile()).start();
        try {
            // The child claims all five and waits for its batch of 16 to fill: kill it while it holds them.
            long deadline = System.currentTimeMillis() + 30_000;
            while (count("select count(*) from job where state = 'running' and lease_owner = 'doomed-worker'") < 5
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(5, count("select count(*) from job where state = 'running' and lease_owner = 'doomed-worker'"));
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertEquals(0, count("select count(*) from score"), "nothing was scored by the killed worker");
        try (InferWorker survivor = new InferWorker(database, leases, model, new InferSettings(8, Duration.ofMillis(100), Duration.ofMillis(100), "node-a"), "survivor").start()) {
            awaitDone(5);
        }
        assertEquals(5, count("select count(*) from score"));
        assertEquals(5, count("select count(distinct instance_id) from score"));
        assertEquals(5, count("select count(*) from job where state = 'done' and attempts = 2"), "claimed once by each worker");
    }

    /**
     * n images received by the ingest stage, then prepared with the prepare stage's rows, their canonical image a flat one
     * instead of a rendering (even instance ids bright, odd ids dark): each queued for inference.
     */
    private void seed(int n) throws Exception {
        try (InboundAssociation modality = new InboundAssociation(database, new IngestSettings(work.resolve("spool"), 0, "node-a"), "MOD")) {
            for (int i = 0; i < n; i++) {
                Path file = work.resolve("image-" + i + ".dcm");
                SyntheticChestImages.write(SyntheticChestImages.Spec.chest("DX", "PA", false, 64, 64, i), file);
                modality.store(file);
            }
        }
        StageRun.untilIdle(database, JobKind.PREPARE, "node-a", job -> {
            long id = instanceId(job.subject());
            Gray8Image flat = flat(400, 500, id % 2 == 0 ? 230 : 20);
            byte[] png = png(flat);
            return Outcome.done(c -> PrepareRecords.rendered(c, id, job.subject(), new EligibilityRules.Decision(true, "frontal", null), flat,
                    png, 1, job.priority()));
        });
    }

    private static Gray8Image flat(int width, int height, int level) {
        byte[] pixels = new byte[width * height];
        java.util.Arrays.fill(pixels, (byte) level);
        return new Gray8Image(width, height, pixels, width, height, Double.NaN, Double.NaN, "header");
    }

    private static byte[] png(Gray8Image flat) throws Exception {
        BufferedImage image = new BufferedImage(flat.width(), flat.height(), BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, flat.width(), flat.height(), flat.pixels());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private long instanceId(String sopInstanceUid) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement("select id from instance where sop_instance_uid = ?")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void awaitDone(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (count("select count(*) from job where kind = 'infer' and state = 'done'") < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
