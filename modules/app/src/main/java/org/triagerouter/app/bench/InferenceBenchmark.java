package org.triagerouter.app.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
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
import java.util.Map;
import javax.imageio.ImageIO;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.ModelGeometry;
import org.triagerouter.dicom.pixels.ModelInputResampler;
import org.triagerouter.inference.BatchInputs;
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
 * {@code scripts/bench inference}: (a) raw ONNX Runtime on a batch tensor built once (session runs only) and (b) the
 * infer stage from the queue, with the same model session, batch size and intra-op threads, measured in interleaved
 * pairs in the same process so each pair gives one ratio (b)/(a) on a machine whose load moves; (c) the CPU that
 * reading and normalising an image costs the infer node (PostgreSQL's share included), for model-ready inputs and for
 * the old canonical-PNG path; (d) the prepare stage on 10 MB DX files, uncompressed and JPEG Lossless.
 */
@Command(name = "bench-inference", hidden = true, description = "Inference and prepare benchmark (used by scripts/bench).")
public final class InferenceBenchmark implements java.util.concurrent.Callable<Integer> {
    /** DenseNet-121 at 224 px, fp16, on one H100 (issue 15): what a GPU node's CPU must feed. */
    static final double H100_IMAGES_PER_SECOND = 7_800;

    @Option(names = "--manifest", required = true) Path manifestPath;
    @Option(names = "--database-url", required = true) String url;
    @Option(names = "--database-user", defaultValue = "triage") String user;
    @Option(names = "--database-password", defaultValue = "") String password;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--images", defaultValue = "192") int images;
    @Option(names = "--batches", defaultValue = "1,4,8", split = ",") int[] batches;
    @Option(names = "--pairs", defaultValue = "5") int pairs;
    @Option(names = "--feed-images", defaultValue = "5000") int feedImages;
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
            List<Gray8Image> canonical = canonicalImages(16);
            seedImages(database, canonical, manifest.geometry(), images);
            queueThroughput(database, model, 8, Math.min(images, 64)); // JIT and caches warm before anything is measured
            System.out.println();
            System.out.printf(Locale.ROOT, "(a) raw ONNX Runtime and (b) the infer stage from the queue, %d images each, %d interleaved pairs per batch size%n",
                    images, pairs);
            System.out.println();
            System.out.println("| intra-op threads | batch | (a) raw img/s min / median | (b) stage img/s min / median | (b)/(a) per pair min / median / max |");
            System.out.println("|---|---|---|---|---|");
            for (int batch : batches) {
                FloatBuffer tensor = rawTensor(model, canonical, batch);
                for (int i = 0; i < 3; i++) model.run(tensor, batch);
                List<Double> raw = new ArrayList<>(), stage = new ArrayList<>(), ratios = new ArrayList<>();
                for (int p = 0; p < pairs; p++) {
                    // Alternate which goes first: a load that comes and goes then favours neither.
                    double a, b;
                    if (p % 2 == 0) {
                        a = rawThroughput(model, tensor, batch);
                        b = queueThroughput(database, model, batch, images);
                    } else {
                        b = queueThroughput(database, model, batch, images);
                        a = rawThroughput(model, tensor, batch);
                    }
                    raw.add(a);
                    stage.add(b);
                    ratios.add(b / a);
                }
                System.out.printf(Locale.ROOT, "| %d | %d | %.1f / %.1f | %.1f / %.1f | %.3f / %.3f / %.3f |%n", threads, batch, min(raw), median(raw),
                        min(stage), median(stage), min(ratios), median(ratios), java.util.Collections.max(ratios));
            }
            feedCost(database, model, canonical);
            if (prepareFiles == 0) return 0;
            System.out.println();
            System.out.println("| prepare stage, 10 MB DX files | files/s | ms per file |");
            System.out.println("|---|---|---|");
            for (String syntax : List.of(Uids.EXPLICIT_VR_LE, Uids.JPEG_LOSSLESS_SV1)) {
                double perSecond = prepareThroughput(database, syntax, manifest);
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.0f |%n", syntax.equals(Uids.EXPLICIT_VR_LE) ? "uncompressed" : "JPEG Lossless",
                        perSecond, 1000 / perSecond);
            }
        }
        return 0;
    }

    /** Canonical images as the prepare stage renders them: synthetic chest radiographs, longest side 1024. */
    private List<Gray8Image> canonicalImages(int n) throws Exception {
        List<Gray8Image> rendered = new ArrayList<>();
        for (Path file : SyntheticChestImages.writeSet(work.resolve("canonical-src"), n, 2500, 2048, 11)) rendered.add(CanonicalRenderer.render(file, 1024));
        return rendered;
    }

    private static byte[] png(Gray8Image image) throws IOException {
        java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(image.width(), image.height(), java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        png.getRaster().setDataElements(0, 0, image.width(), image.height(), image.pixels());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(png, "png", out);
        return out.toByteArray();
    }

    /** (a)'s tensor: the batch's model-ready inputs normalised once into a direct buffer, as the stage fills its own. */
    private static FloatBuffer rawTensor(OnnxModel model, List<Gray8Image> canonical, int batch) {
        TensorBuilder tensors = new TensorBuilder(model.manifest());
        FloatBuffer buffer = model.newBatchBuffer(batch);
        for (int i = 0; i < batch; i++) {
            Gray8Image image = canonical.get(i % canonical.size());
            tensors.write(ModelInputResampler.resample(image.pixels(), image.width(), image.height(), tensors.geometry()), buffer,
                    i * tensors.imageTensorSize());
        }
        return buffer;
    }

    /** (a): session runs only, as many images as (b) scores. */
    private double rawThroughput(OnnxModel model, FloatBuffer tensor, int batch) throws Exception {
        int runs = Math.max(1, images / batch);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) model.run(tensor, batch);
        return runs * batch / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * (b): {@code n} infer jobs queued for images whose canonical image and model-ready input are in PostgreSQL; one
     * infer worker. Time from its start to the last job's completion as PostgreSQL recorded it (polled slowly, so the
     * polling takes no CPU from the model).
     */
    private double queueThroughput(Database database, OnnxModel model, int batch, int n) throws Exception {
        return stageRun(database, model, batch, n).imagesPerSecond();
    }

    /** One run of the infer stage over n queued images: its rate, and the CPU this JVM and the database used meanwhile. */
    private record StageRun(double imagesPerSecond, long jvmCpuNanos, long databaseTicks) {}

    private StageRun stageRun(Database database, OnnxModel model, int batch, int n) throws Exception {
        try (Connection c = database.connection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("truncate score, job");
            for (int i = 1; i <= n; i++) JobQueue.enqueue(c, JobKind.INFER, "2.25.100." + i, JobKind.ROUTINE);
            c.commit();
        }
        com.sun.management.OperatingSystemMXBean process =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        InferSettings settings = new InferSettings(batch, Duration.ofMillis(50), Duration.ofMillis(100), "bench");
        double seconds;
        long cpu, ticks, ticks0;
        try (LeaseKeeper leases = new LeaseKeeper(database, LeaseKeeper.DEFAULT_LEASE);
             InferWorker worker = new InferWorker(database, leases, model, settings, "bench-infer")) {
            long cpu0 = process.getProcessCpuTime();
            ticks0 = databaseCpuTicks(database);
            java.time.Instant start = java.time.Instant.now();
            worker.start();
            while (count(database, "select count(*) from job where kind = 'infer' and state in ('done', 'failed')") < n) Thread.sleep(250);
            cpu = process.getProcessCpuTime() - cpu0;
            ticks = databaseCpuTicks(database) - ticks0;
            seconds = number(database, "select extract(epoch from max(finished_at)) from job where kind = 'infer'")
                    - (start.getEpochSecond() + start.getNano() / 1e9);
        }
        if (count(database, "select count(*) from score") != n) throw new IllegalStateException("not every image was scored");
        return new StageRun(n / seconds, cpu, ticks0 < 0 || ticks < 0 ? -1 : ticks);
    }

    /** n instances, each with a canonical image (PNG) and the model's ready input, as the prepare stage leaves them. */
    private void seedImages(Database database, List<Gray8Image> canonical, ModelGeometry geometry, int n) throws Exception {
        List<byte[]> pngs = new ArrayList<>(), inputs = new ArrayList<>();
        for (Gray8Image image : canonical) {
            pngs.add(png(image));
            inputs.add(ModelInputResampler.resample(image.pixels(), image.width(), image.height(), geometry));
        }
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("truncate score, model_input, canonical_image, eligibility, job, instance, series, study cascade");
                s.execute("insert into study (id, study_instance_uid) values (1, '2.25.1')");
                s.execute("insert into series (id, study_id, series_instance_uid) values (1, 1, '2.25.2')");
            }
            try (PreparedStatement instance = c.prepareStatement("""
                    insert into instance (id, study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, node, file_path,
                                          file_size, calling_ae_title, association_id, priority)
                    values (?, 1, 1, ?, '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', 'bench', '/none', 0, 'BENCH', 'bench', 'MEDIUM')""");
                 PreparedStatement image = c.prepareStatement("""
                    insert into canonical_image (instance_id, png, width, height, source_width, source_height, window_source, render_ms)
                    values (?, ?, ?, ?, 2048, 2500, 'header', 0)""");
                 PreparedStatement input = c.prepareStatement("""
                    insert into model_input (instance_id, geometry, width, height, pixels) values (?, ?, ?, ?, ?)""")) {
                for (int i = 1; i <= n; i++) {
                    int k = i % canonical.size();
                    instance.setLong(1, i);
                    instance.setString(2, "2.25.100." + i);
                    instance.executeUpdate();
                    image.setLong(1, i);
                    image.setBytes(2, pngs.get(k));
                    image.setInt(3, canonical.get(k).width());
                    image.setInt(4, canonical.get(k).height());
                    image.executeUpdate();
                    input.setLong(1, i);
                    input.setString(2, geometry.key());
                    input.setInt(3, geometry.width());
                    input.setInt(4, geometry.height());
                    input.setBytes(5, inputs.get(k));
                    input.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /**
     * (c): what feeding the model costs the infer node's CPU per image, on one connection in batches of 8 as the stage
     * reads them: this JVM thread's CPU time and the PostgreSQL backend's (its /proc stat), for the stored model-ready
     * input (read + normalise) and for the canonical PNG (read + decode + fit + normalise); and, for the prepare
     * stage, fitting a 1024-px canonical image to the model's geometry.
     */
    private void feedCost(Database database, OnnxModel model, List<Gray8Image> canonical) throws Exception {
        TensorBuilder tensors = new TensorBuilder(model.manifest());
        FloatBuffer buffer = model.newBatchBuffer(8);
        ModelGeometry absent = new ModelGeometry(tensors.geometry().width(), tensors.geometry().height() + 1, tensors.geometry().fit());
        System.out.println();
        System.out.printf(Locale.ROOT, "(c) CPU per image to feed the model (%d images, batches of 8, one connection); cores for %,.0f images/s (H100, DenseNet-121 fp16)%n",
                feedImages, H100_IMAGES_PER_SECOND);
        System.out.println();
        System.out.println("| path | router JVM ms/image | PostgreSQL ms/image | total ms/image | wall ms/image | cores for an H100 |");
        System.out.println("|---|---|---|---|---|---|");
        for (int round = 0; round < 2; round++) { // the first round warms up, the second is reported
            for (boolean stored : new boolean[] {true, false}) {
                ModelGeometry geometry = stored ? tensors.geometry() : absent; // no input of that key: the PNG comes instead
                Cost cost = measure(database, n -> {
                    try (Connection c = database.connection()) {
                        for (int done = 0; done < n; done += 8) {
                            List<String> uids = new ArrayList<>();
                            for (int k = 0; k < 8; k++) uids.add("2.25.100." + (1 + (done + k) % images));
                            Map<String, BatchInputs.Image> read = BatchInputs.read(c, uids, geometry);
                            int i = 0;
                            for (BatchInputs.Image image : read.values()) {
                                int offset = (i++ % 8) * tensors.imageTensorSize();
                                if (image.stored()) tensors.write(image.modelInput(), buffer, offset);
                                else tensors.write(GrayImage.decodePng(image.png()), buffer, offset);
                            }
                        }
                    }
                }, stored ? feedImages : feedImages / 10);
                if (round == 1) {
                    System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %.3f | %.3f | %.1f |%n",
                            stored ? "model-ready input: read + normalise" : "canonical PNG: read + decode + fit + normalise (before)",
                            cost.jvmMs(), cost.databaseMs() < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", cost.databaseMs()), cost.totalMs(),
                            cost.wallMs(), cost.totalMs() * H100_IMAGES_PER_SECOND / 1000);
                }
            }
        }
        // The whole stage but the model: claim, read, normalise, score rows, job records, commits (the demo model's compute is nil).
        ModelManifest demo = ModelManifest.load(org.triagerouter.inference.DemoModel.write(work.resolve("demo-model")));
        try (OnnxModel nil = OnnxModel.open(demo, ExecutionProvider.CPU, 1)) {
            for (int batch : new int[] {8, 64}) {
                queueThroughput(database, nil, batch, images); // warm-up
                int rounds = Math.max(1, 1000 / images);
                long cpu = 0, ticks = 0;
                long wall0 = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    StageRun run = stageRun(database, nil, batch, images);
                    cpu += run.jvmCpuNanos();
                    ticks = ticks < 0 || run.databaseTicks() < 0 ? -1 : ticks + run.databaseTicks();
                }
                int n = rounds * images;
                Cost stage = new Cost(cpu / 1e6 / n, ticks < 0 ? -1 : ticks * ProcessCpu.MS_PER_TICK / n, (System.nanoTime() - wall0) / 1e6 / n);
                System.out.printf(Locale.ROOT, "| whole infer stage but the model, batch %d (claim, read, normalise, score, record; all router threads) | %.3f | %s | %.3f | %.3f | %.1f |%n",
                        batch, stage.jvmMs(), stage.databaseMs() < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", stage.databaseMs()),
                        stage.totalMs(), stage.wallMs(), stage.totalMs() * H100_IMAGES_PER_SECOND / 1000);
            }
        }
        Cost fit = measure(database, n -> {
            for (int i = 0; i < n; i++) {
                Gray8Image image = canonical.get(i % canonical.size());
                ModelInputResampler.resample(image.pixels(), image.width(), image.height(), tensors.geometry());
            }
        }, 400);
        System.out.printf(Locale.ROOT, "| prepare stage: fit the 1024-px canonical image to %s (per model geometry) | %.3f | - | %.3f | %.3f | - |%n",
                tensors.geometry().key(), fit.jvmMs(), fit.jvmMs(), fit.wallMs());
    }

    @FunctionalInterface
    private interface Work {
        void run(int images) throws Exception;
    }

    /** CPU per image: the calling thread's, and the PostgreSQL backends' that served it (negative when not readable). */
    private record Cost(double jvmMs, double databaseMs, double wallMs) {
        double totalMs() { return jvmMs + Math.max(0, databaseMs); }
    }

    private static Cost measure(Database database, Work work, int n) throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long database0 = databaseCpuTicks(database), cpu0 = threads.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
        work.run(n);
        long cpu1 = threads.getCurrentThreadCpuTime(), wall1 = System.nanoTime(), database1 = databaseCpuTicks(database);
        double databaseMs = database0 < 0 || database1 < 0 ? -1 : (database1 - database0) * ProcessCpu.MS_PER_TICK / n;
        return new Cost((cpu1 - cpu0) / 1e6 / n, databaseMs, (wall1 - wall0) / 1e6 / n);
    }

    /** CPU ticks (user + system) of this database server: its postmaster and everything below it, live or reaped; -1 when unreadable. */
    private static long databaseCpuTicks(Database database) throws SQLException {
        int backend;
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            backend = rs.getInt(1);
        }
        try {
            return ProcessCpu.treeTicks(Long.parseLong(ProcessCpu.stat(Path.of("/proc", String.valueOf(backend)))[1]));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double min(List<Double> values) { return java.util.Collections.min(values); }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** (d): prepare jobs for 10 MB DX files on disk; time until one prepare worker has rendered them (and the model's input) all. */
    private double prepareThroughput(Database database, String syntax, ModelManifest manifest) throws Exception {
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
                s.execute("truncate score, model_input, canonical_image, eligibility, job, instance, series, study cascade");
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
        PrepareSettings settings = new PrepareSettings(EligibilityRules.defaults(), 1024, "bench", 1, List.of(manifest.geometry()));
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

    private static double number(Database database, String sql) throws SQLException {
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private static long count(Database database, String sql) throws SQLException {
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
