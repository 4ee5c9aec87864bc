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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.testing.PostgresServer;

/** The infer stage from the queue, with the demo model on ONNX Runtime (CPU here) and real PostgreSQL. */
class InferWorkerTest {
    static PostgresServer postgres;
    @TempDir
    static Path modelDir;
    static Path manifest;

    DatabaseSettings settings;
    Database database;
    LeaseKeeper leases;
    OnnxModel model;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start();
        manifest = DemoModel.write(modelDir);
    }

    @AfterAll
    static void stop() throws Exception { postgres.close(); }

    @BeforeEach
    void setUp() throws Exception {
        settings = postgres.createDatabase();
        database = new Database(settings);
        database.migrate();
        leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
        model = OnnxModel.open(ModelManifest.load(manifest), ExecutionProvider.AUTO, 1);
    }

    @AfterEach
    void tearDown() {
        leases.close();
        model.close();
        database.close();
    }

    @Test
    void everyQueuedImageIsScoredOnceInFullBatches() throws Exception {
        seed(20, 0);
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
        seed(3, 0);
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
        seed(5, 0);
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

    /** n instances with canonical images (even ids bright, odd ids dark) and queued infer jobs. */
    private void seed(int n, int firstId) throws Exception {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            c.createStatement().execute("insert into study (id, study_instance_uid) values (1, '1.2.3') on conflict do nothing");
            c.createStatement().execute("insert into series (id, study_id, series_instance_uid) values (1, 1, '1.2.3.4') on conflict do nothing");
            for (int i = firstId; i < firstId + n; i++) {
                long id = i + 1;
                String sop = "1.2.3.4." + id;
                try (PreparedStatement s = c.prepareStatement("""
                        insert into instance (id, study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, node,
                                              file_path, file_size, calling_ae_title, association_id, priority)
                        values (?, 1, 1, ?, '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', 'node-a', '/nowhere', 0, 'T', 'a', 'MEDIUM')""")) {
                    s.setLong(1, id);
                    s.setString(2, sop);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("""
                        insert into canonical_image (instance_id, png, width, height, source_width, source_height, window_source, render_ms)
                        values (?, ?, 400, 500, 400, 500, 'header', 1)""")) {
                    s.setLong(1, id);
                    s.setBytes(2, png(400, 500, id % 2 == 0 ? 230 : 20));
                    s.executeUpdate();
                }
                JobQueue.enqueue(c, JobKind.INFER, sop, JobKind.ROUTINE);
            }
            c.commit();
        }
    }

    private static byte[] png(int width, int height, int level) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = new byte[width * height];
        java.util.Arrays.fill(pixels, (byte) level);
        image.getRaster().setDataElements(0, 0, width, height, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
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
