package org.triagerouter.app.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * With {@code --peer}, each figure also has its peer measured in the same run, so runs on a busy machine compare:
 * the same studies sent by the same storescu to storescp (ingest alone, nothing behind it), as a ratio.
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
    @Option(names = "--senders", defaultValue = "1", description = "storescu processes sending the sustained studies at once (as several modalities would)")
    int senders;
    @Option(names = "--work", required = true) Path work;
    @Option(names = "--database-url", description = "the router's database (user triage, no password): adds the completion delay")
    String databaseUrl;
    @Option(names = "--peer", description = "AE@host:port of a storescp that gets the same studies (the ingest peer)")
    String peer;
    @Option(names = "--peer-folder", description = "the peer's output folder: its copies are deleted after each send")
    Path peerFolder;
    @Option(names = "--cpu-of", description = "NAME=PID of a process whose CPU (with its descendants) the sustained run accounts for, e.g. router=123")
    Map<String, Long> cpuOf = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        String[] target = router.split("[@:]");
        String[] peerTarget = peer == null ? null : peer.split("[@:]");
        double loadBefore = loadAverage();
        double[] latencies = new double[studies];
        double routerSend = 0, peerSend = 0;
        List<String> timed = new ArrayList<>();
        for (int i = 0; i < studies; i++) {
            Study study = writeStudy(i);
            timed.add(study.uid());
            if (peerTarget != null) {
                peerSend += sendTimed(peerTarget, study);
                deletePeerImages();
            }
            routerSend += sendTimed(target, study);
            long sent = System.nanoTime();
            latencies[i] = (waitForSr(study) - sent) / 1e9 - graceSeconds;
        }
        Arrays.sort(latencies);
        // Ingest of the same study by the router against storescp, in the same run: > 1 means the router took longer.
        String ingestRatio = peerTarget == null ? "" : String.format(Locale.ROOT, " %.2f |", routerSend / peerSend);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%s%n", modelId, studies, percentile(latencies, 0.5),
                percentile(latencies, 0.95), latencies[latencies.length - 1], ingestRatio);
        if (databaseUrl != null) completionDelays(timed);
        List<Study> batch = new ArrayList<>();
        for (int i = 0; i < sustained; i++) batch.add(writeStudy(1000 + i));
        double peerSeconds = 0;
        if (peerTarget != null) {
            long peerStart = System.nanoTime();
            sendAll(peerTarget, batch);
            peerSeconds = (System.nanoTime() - peerStart) / 1e9;
            deletePeerImages();
        }
        CpuSnapshot cpuBefore = CpuSnapshot.take(cpuOf);
        long start = System.nanoTime();
        sendAll(target, batch);
        double sentSeconds = (System.nanoTime() - start) / 1e9;
        long last = 0;
        for (Study s : batch) last = Math.max(last, waitForSr(s));
        CpuSnapshot cpuAfter = CpuSnapshot.take(cpuOf);
        double hours = (last - start) / 1e9 / 3600;
        String versus = peerTarget == null ? "" : String.format(Locale.ROOT, "; storescp received them in %.1f s = %.0f studies/hour: %.2f of it",
                peerSeconds, sustained / (peerSeconds / 3600), (peerSeconds / 3600) / hours);
        System.out.printf(Locale.ROOT, "sustained: %d studies from %d sender(s) in %.1f s (all sent after %.1f s) = %.0f studies/hour (%s)%s; load average %.1f before, %.1f after%n",
                sustained, Math.max(1, senders), hours * 3600, sentSeconds, sustained / hours, modelId, versus, loadBefore, loadAverage());
        System.out.println(cpuAfter.perStudySince(cpuBefore, sustained, hours * 3600));
        if (!cpuOf.isEmpty()) System.out.println(cpuAfter.threadsPerStudySince(cpuBefore, sustained));
        return 0;
    }

    /**
     * Who spent the machine's CPU during the sustained run: the named processes (router, database), the storescu senders
     * (this process's reaped children), this process itself (writing nothing, polling for SRs), and the rest of the machine.
     */
    private record CpuSnapshot(Map<String, Long> named, Map<String, Long> firstThreads, long senders, long bench, long machine) {
        static CpuSnapshot take(Map<String, Long> pids) {
            Map<String, Long> named = new LinkedHashMap<>();
            pids.forEach((name, pid) -> named.put(name, ProcessCpu.treeTicks(pid)));
            Map<String, Long> threads = pids.isEmpty() ? Map.of() : ProcessCpu.threadTicksByName(pids.values().iterator().next());
            return new CpuSnapshot(named, threads, ProcessCpu.reapedChildrenTicks(), ProcessCpu.ownTicks(), ProcessCpu.machineBusyTicks());
        }

        /** The first named process's threads (the router's) that spent at least 1 ms per study, busiest first. */
        String threadsPerStudySince(CpuSnapshot before, int studies) {
            StringBuilder line = new StringBuilder("  of which, by thread (ms):");
            firstThreads.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), (e.getValue() - before.firstThreads().getOrDefault(e.getKey(), 0L)) * ProcessCpu.MS_PER_TICK / studies))
                    .filter(e -> e.getValue() >= 1)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> line.append(String.format(Locale.ROOT, " %s %.0f,", e.getKey(), e.getValue())));
            line.setLength(line.length() - 1);
            return line.toString();
        }

        String perStudySince(CpuSnapshot before, int studies, double seconds) {
            StringBuilder line = new StringBuilder("CPU per study in the sustained run (ms):");
            long accounted = 0;
            for (var e : named.entrySet()) {
                long ticks = e.getValue() - before.named().get(e.getKey());
                accounted += ticks;
                line.append(String.format(Locale.ROOT, " %s %.0f,", e.getKey(), ticks * ProcessCpu.MS_PER_TICK / studies));
            }
            long machineTicks = machine - before.machine();
            accounted += (senders - before.senders()) + (bench - before.bench());
            line.append(String.format(Locale.ROOT, " storescu senders %.0f, this bench %.0f, rest of the machine %.0f; machine busy %.2f of %d cores",
                    (senders - before.senders()) * ProcessCpu.MS_PER_TICK / studies, (bench - before.bench()) * ProcessCpu.MS_PER_TICK / studies,
                    (machineTicks - accounted) * ProcessCpu.MS_PER_TICK / studies, machineTicks * ProcessCpu.MS_PER_TICK / 1000 / seconds,
                    Runtime.getRuntime().availableProcessors()));
            return line.toString();
        }
    }

    /**
     * What study completion itself adds, from the router's own rows: its report job's creation after the later of the moment
     * its rule was met (the release + grace) and its last image's prepare or infer job ending. The rest of the latency
     * is the work (prepare, infer, report, dispatch) and waiting for the CPU.
     */
    private void completionDelays(List<String> uids) throws Exception {
        double[] delays;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(databaseUrl, "triage", "");
             java.sql.PreparedStatement s = c.prepareStatement("""
                     select extract(epoch from (select min(r.created_at) from job r where r.kind = 'report' and r.subject = st.study_instance_uid)
                              - greatest((select max(a.closed_at) from association a join instance i on i.association_id = a.id
                                           where i.study_id = st.id) + ? * interval '1 second',
                                         (select max(j.finished_at) from job j join instance i on j.subject = i.sop_instance_uid
                                           where i.study_id = st.id and j.kind in ('prepare', 'infer'))))
                       from study st where st.study_instance_uid = any (?)""")) {
            s.setDouble(1, graceSeconds);
            s.setArray(2, c.createArrayOf("text", uids.toArray()));
            List<Double> found = new ArrayList<>();
            try (java.sql.ResultSet rs = s.executeQuery()) {
                while (rs.next()) found.add(rs.getDouble(1));
            }
            delays = found.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        if (delays.length == 0) return;
        System.out.printf(Locale.ROOT, "completion delay (report queued after the release + grace and the last image, whichever is later): "
                + "p50 %.3f s, p95 %.3f s, max %.3f s over %d studies%n", percentile(delays, 0.5), percentile(delays, 0.95),
                delays[delays.length - 1], delays.length);
    }

    /** The 1-minute load average: the machine is shared, so each run says how busy it was. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
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

    /** Sends every study, {@code senders} storescu processes at a time (each its own association); returns when all are sent. */
    private void sendAll(String[] to, List<Study> studies) throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, senders))) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Study s : studies) sent.add(pool.submit(() -> send(to, s)));
            for (var f : sent) f.get();
        }
    }

    /** Sends the study; returns how many seconds storescu took. */
    private static double sendTimed(String[] target, Study study) throws Exception {
        long start = System.nanoTime();
        return (send(target, study) - start) / 1e9;
    }

    /** The peer's copies of the images: 10 MB each, not kept. */
    private void deletePeerImages() throws Exception {
        if (peerFolder == null) return;
        try (var files = Files.list(peerFolder)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
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
