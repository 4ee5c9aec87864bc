package org.triagerouter.app.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.inference.ExecutionProvider;
import org.triagerouter.inference.GrayImage;
import org.triagerouter.inference.InferSettings;
import org.triagerouter.inference.InferWorker;
import org.triagerouter.inference.ModelManifest;
import org.triagerouter.inference.OnnxModel;
import org.triagerouter.inference.TensorBuilder;
import org.triagerouter.prepare.EligibilityRules;
import org.triagerouter.prepare.PrepareSettings;
import org.triagerouter.prepare.PrepareStage;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.LeaseKeeper;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.StageWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench inference}: (a) raw ONNX Runtime throughput on pre-built tensors, (b) the infer
 * stage's throughput from the queue with the same model and batch sizes, in the same process and
 * run, and (c) the prepare stage on 10 MB DX files, uncompressed and JPEG Lossless.
 */
@Command(name = "bench-inference", hidden = true, description = "Inference and prepare benchmark (used by scripts/bench).")
public final class InferenceBenchmark implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--manifest", required = true) Path manifestPath;
    @Option(names = "--database-url", required = true) String url;
    @Option(names = "--database-user", defaultValue = "triage") String user;
    @Option(names = "--database-password", defaultValue = "") String password;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--images", defaultValue = "96") int images;
    @Option(names = "--batches", defaultValue = "1,4,8", split = ",") int[] batches;
    @Option(names = "--prepare-files", defaultValue = "20") int prepareFiles;
    @Option(names = "--work", required = true) Path work;

    @Override
    public Integer call() throws Exception {
        ModelManifest manifest = ModelManifest.load(manifestPath);
        try (OnnxModel model = OnnxModel.open(manifest, ExecutionProvider.CPU, threads);
             Database database = new Database(new DatabaseSettings(url, user, password, 8, Duration.ofSeconds(5)))) {
            database.migrate();
            System.out.printf(Locale.ROOT, "model %s %s, input %dx%d, provider %s, %d intra-op threads, %d cores%n", manifest.id(),
                    manifest.version(), manifest.input().width(), manifest.input().height(), model.provider(), threads,
                    Runtime.getRuntime().availableProcessors());
            List<byte[]> canonical = canonicalPngs(16);
            System.out.println();
            System.out.println("| batch | raw ONNX Runtime (img/s) | infer stage from the queue (img/s) | ratio |");
            System.out.println("|---|---|---|---|");
            for (int batch : batches) {
                double raw = rawThroughput(model, canonical, batch);
                double queued = queueThroughput(database, model, canonical, batch);
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f |%n", batch, raw, queued, queued / raw);
            }
            if (prepareFiles == 0) return 0;
            System.out.println();
            System.out.println("| prepare stage, 10 MB DX files | files/s | ms per file |");
            System.out.println("|---|---|---|");
            for (String syntax : List.of(Uids.EXPLICIT_VR_LE, Uids.JPEG_LOSSLESS_SV1)) {
                double perSecond = prepareThroughput(database, syntax);
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.0f |%n", syntax.equals(Uids.EXPLICIT_VR_LE) ? "uncompressed" : "JPEG Lossless",
                        perSecond, 1000 / perSecond);
            }
        }
        return 0;
    }

    /** Canonical images as the prepare stage stores them: synthetic chest radiographs rendered to 1024 px PNGs. */
    private List<byte[]> canonicalPngs(int n) throws Exception {
        List<byte[]> pngs = new ArrayList<>();
        for (Path file : SyntheticChestImages.writeSet(work.resolve("canonical-src"), n, 2500, 2048, 11)) {
            Gray8Image image = CanonicalRenderer.render(file, 1024);
            java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(image.width(), image.height(),
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, image.width(), image.height(), image.pixels());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(png, "png", out);
            pngs.add(out.toByteArray());
        }
        return pngs;
    }

    /** (a): tensors built once, then session runs only. */
    private double rawThroughput(OnnxModel model, List<byte[]> canonical, int batch) throws Exception {
        TensorBuilder tensors = new TensorBuilder(model.manifest());
        float[] buffer = new float[batch * tensors.imageTensorSize()];
        for (int i = 0; i < batch; i++) tensors.write(GrayImage.decodePng(canonical.get(i % canonical.size())), buffer, i * tensors.imageTensorSize());
        for (int i = 0; i < 3; i++) model.run(buffer, batch);
        int runs = Math.max(1, images / batch);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) model.run(buffer, batch);
        return runs * batch / ((System.nanoTime() - start) / 1e9);
    }

    /** (b): images queued with their canonical PNGs in PostgreSQL; time until one infer worker has scored them all. */
    private double queueThroughput(Database database, OnnxModel model, List<byte[]> canonical, int batch) throws Exception {
        seedCanonical(database, canonical, images);
        InferSettings settings = new InferSettings(batch, Duration.ofMillis(50), Duration.ofMillis(100), "bench");
        long start = System.nanoTime();
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             InferWorker worker = new InferWorker(database, leases, model, settings, "bench-infer").start()) {
            while (count(database, "select count(*) from job where kind = 'infer' and state = 'done'") < images) Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (count(database, "select count(*) from score") != images) throw new IllegalStateException("not every image was scored");
        return images / seconds;
    }

    private void seedCanonical(Database database, List<byte[]> canonical, int n) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("truncate score, canonical_image, eligibility, job, instance, series, study cascade");
                s.execute("insert into study (id, study_instance_uid) values (1, '2.25.1')");
                s.execute("insert into series (id, study_id, series_instance_uid) values (1, 1, '2.25.2')");
            }
            try (PreparedStatement instance = c.prepareStatement("""
                    insert into instance (id, study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, node, file_path,
                                          file_size, calling_ae_title, association_id, priority)
                    values (?, 1, 1, ?, '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', 'bench', '/none', 0, 'BENCH', 'bench', 'MEDIUM')""");
                 PreparedStatement image = c.prepareStatement("""
                    insert into canonical_image (instance_id, png, width, height, source_width, source_height, window_source, render_ms)
                    values (?, ?, 839, 1024, 2048, 2500, 'header', 0)""")) {
                for (int i = 1; i <= n; i++) {
                    instance.setLong(1, i);
                    instance.setString(2, "2.25.100." + i);
                    instance.executeUpdate();
                    image.setLong(1, i);
                    image.setBytes(2, canonical.get(i % canonical.size()));
                    image.executeUpdate();
                }
            }
            c.commit();
            for (int i = 1; i <= n; i++) JobQueue.enqueue(c, JobKind.INFER, "2.25.100." + i, JobKind.ROUTINE);
            c.commit();
        }
    }

    /** (c): prepare jobs for 10 MB DX files on disk; time until one prepare worker has rendered them all. */
    private double prepareThroughput(Database database, String syntax) throws Exception {
        Path dir = work.resolve("prepare-" + syntax);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < prepareFiles; i++) {
            Files.createDirectories(dir);
            Path plain = dir.resolve("plain-" + i + ".dcm");
            SyntheticChestImages.write(SyntheticChestImages.Spec.chest("DX", "PA", i % 2 == 1, 2500, 2048, 100 + i), plain);
            if (syntax.equals(Uids.EXPLICIT_VR_LE)) {
                files.add(plain);
            } else {
                Path jpeg = dir.resolve("jpeg-" + i + ".dcm");
                Process p = new ProcessBuilder("dcmcjpeg", "+e1", plain.toString(), jpeg.toString()).inheritIO().start();
                if (p.waitFor() != 0) throw new IOException("dcmcjpeg failed");
                files.add(jpeg);
            }
        }
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("truncate score, canonical_image, eligibility, job, instance, series, study cascade");
            }
            long id = 1;
            for (Path f : files) {
                InstanceHeader h = InstanceFiles.validate(f, Part10.readMeta(f).dataSetOffset(), Part10.readMeta(f).transferSyntaxUid());
                try (PreparedStatement s = c.prepareStatement("""
                        with st as (insert into study (study_instance_uid) values (?) returning id),
                             se as (insert into series (study_id, series_instance_uid) select id, ? from st returning id, study_id)
                        insert into instance (id, study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, node, file_path,
                                              file_size, calling_ae_title, association_id, priority)
                        select ?, se.study_id, se.id, ?, ?, ?, 'bench', ?, 0, 'BENCH', 'bench', 'MEDIUM' from se""")) {
                    s.setString(1, h.studyInstanceUid());
                    s.setString(2, h.seriesInstanceUid());
                    s.setLong(3, id++);
                    s.setString(4, h.sopInstanceUid());
                    s.setString(5, h.sopClassUid());
                    s.setString(6, syntax);
                    s.setString(7, f.toString());
                    s.executeUpdate();
                }
                JobQueue.enqueue(c, JobKind.PREPARE, h.sopInstanceUid(), JobKind.ROUTINE, "bench");
            }
            c.commit();
        }
        PrepareSettings settings = new PrepareSettings(EligibilityRules.defaults(), 1024, "bench", 1);
        long start = System.nanoTime();
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             StageWorker worker = new StageWorker(database, leases, new StageWorker.Settings(JobKind.PREPARE, "bench-prepare", "bench", 4,
                     Duration.ofMillis(100), org.triagerouter.store.RetryPolicy.DEFAULT), new PrepareStage(database, settings)).start()) {
            while (count(database, "select count(*) from job where kind = 'prepare' and state in ('done', 'failed')") < files.size()) Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (count(database, "select count(*) from canonical_image") != files.size()) throw new IllegalStateException("not every file was rendered");
        return files.size() / seconds;
    }

    private static long count(Database database, String sql) throws SQLException {
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
