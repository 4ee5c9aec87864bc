package org.triagerouter.app.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench e2e}: studies of two 10 MB DX images sent with dcmtk's storescu to a running
 * router; latency from storescu's exit (its last C-STORE response and release) to the SR's arrival at
 * the destination (a storescp writing to {@code --pacs}), minus the grace period; then sustained throughput.
 */
@Command(name = "bench-e2e", hidden = true, description = "End-to-end latency benchmark (used by scripts/bench).")
public final class EndToEndBenchmark implements Callable<Integer> {
    @Option(names = "--router", required = true, description = "AE@host:port of the running router") String router;
    @Option(names = "--pacs", required = true, description = "the destination storescp's output folder") Path pacs;
    @Option(names = "--model-id", required = true) String modelId;
    @Option(names = "--model-version", required = true) String modelVersion;
    @Option(names = "--grace-seconds", defaultValue = "1") double graceSeconds;
    @Option(names = "--studies", defaultValue = "10") int studies;
    @Option(names = "--sustained", defaultValue = "10") int sustained;
    @Option(names = "--work", required = true) Path work;

    @Override
    public Integer call() throws Exception {
        String[] target = router.split("[@:]");
        double[] latencies = new double[studies];
        for (int i = 0; i < studies; i++) {
            Study study = writeStudy(i);
            long sent = send(target, study);
            latencies[i] = (waitForSr(study) - sent) / 1e9 - graceSeconds;
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", modelId, studies, percentile(latencies, 0.5),
                percentile(latencies, 0.95), latencies[latencies.length - 1]);
        List<Study> batch = new ArrayList<>();
        for (int i = 0; i < sustained; i++) batch.add(writeStudy(1000 + i));
        long start = System.nanoTime();
        for (Study s : batch) send(target, s);
        long last = 0;
        for (Study s : batch) last = Math.max(last, waitForSr(s));
        double hours = (last - start) / 1e9 / 3600;
        System.out.printf(Locale.ROOT, "sustained: %d studies in %.1f s = %.0f studies/hour (%s)%n", sustained, hours * 3600, sustained / hours, modelId);
        return 0;
    }

    private record Study(String uid, List<Path> files, Path expectedSr) {}

    /** Two frontal DX images of 2048 × 2500 (10 MB each) in one new study. */
    private Study writeStudy(int n) throws Exception {
        String study = Uids.newUid(), series = Uids.newUid();
        List<Path> files = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path f = work.resolve("study-" + n).resolve("img" + k + ".dcm");
            Files.createDirectories(f.getParent());
            SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", k == 0 ? "PA" : "AP", false, 2500, 2048, 500 + n * 2L + k,
                    String.format("BENCH%05d", n), study, series, Uids.newUid()), f);
            files.add(f);
        }
        // The SR's UID is derived from (study, model, version, revision): its file name at storescp is known in advance.
        String sr = Uids.fromName("triage-sr|" + study + "|" + modelId + "|" + modelVersion + "|1");
        return new Study(study, files, pacs.resolve("SRc." + sr)); // storescp names Comprehensive SR files SRc.<SOP Instance UID>
    }

    /** storescu with one association for the study; returns when it exited (last response received). */
    private static long send(String[] target, Study study) throws Exception {
        List<String> command = new ArrayList<>(List.of("storescu", "-aet", "BENCH", "-aec", target[0], target[1], target[2]));
        study.files().forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("storescu failed for " + study.uid());
        return System.nanoTime();
    }

    private static long waitForSr(Study study) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(study.expectedSr())) return System.nanoTime();
            Thread.sleep(5);
        }
        throw new IllegalStateException("no SR for study " + study.uid() + " within 120 s");
    }

    private static double percentile(double[] sorted, double p) {
        double index = p * (sorted.length - 1);
        int low = (int) Math.floor(index), high = (int) Math.ceil(index);
        return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
    }
}
