package org.triagerouter.app.bench.soak;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.triagerouter.dicom.net.RemoteAe;
import org.triagerouter.store.JobKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench soak}: new studies at a steady rate into a running router with short retention periods,
 * its resources read every 10 s into a CSV, then a chart and a slope test: after the warm-up, does any series
 * still grow? Exits 0 when every judged series and every check passes, 1 otherwise.
 */
@Command(name = "bench-soak", hidden = true, description = "Soak benchmark (used by scripts/bench soak).")
public final class SoakBenchmark implements Callable<Integer> {
    private static final double MIB = 1024 * 1024;
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final int FAST_LEVEL_MARGIN = 25;
    /** Retention jobs fire every minute; a study also spends a few seconds in the pipeline before its delivery: slack on top. */
    private static final Duration RETENTION_FIRING = Duration.ofMinutes(1), PIPELINE_SLACK = Duration.ofSeconds(30);

    @Option(names = "--router", required = true, description = "AE@host:port of the running router") String router;
    @Option(names = "--router-pid", required = true, description = "the router's process (or a launcher above it)") long routerPid;
    @Option(names = "--router-metrics", required = true, description = "the router's Prometheus endpoint (its JVM's heap and non-heap)") java.net.URI routerMetrics;
    @Option(names = "--pacs", required = true, description = "the destination storescp's output folder") Path pacs;
    @Option(names = "--spool", required = true, description = "the router's spool folder") Path spool;
    @Option(names = "--database-url", required = true) String databaseUrl;
    @Option(names = "--database-user", defaultValue = "triage") String databaseUser;
    @Option(names = "--database-password", defaultValue = "") String databasePassword;
    @Option(names = "--model-id", defaultValue = "triage-demo") String modelId;
    @Option(names = "--model-version", defaultValue = "1") String modelVersion;
    @Option(names = "--minutes", defaultValue = "30", description = "how long studies are sent") double minutes;
    @Option(names = "--warmup-minutes", description = "excluded from the slope test (default: see warmupMinutes())") Double warmupMinutes;
    @Option(names = "--rate", defaultValue = "2", description = "studies per second") double rate;
    @Option(names = "--rows", defaultValue = "1250") int rows;
    @Option(names = "--columns", defaultValue = "1024") int columns;
    @Option(names = "--senders", defaultValue = "8", description = "sender threads (studies under way at once)") int senders;
    @Option(names = "--fast", description = "the short version: only what a 2-minute run can show is judged by slope") boolean fast;
    @Option(names = "--spool-retention-days", defaultValue = "0") double spoolRetentionDays;
    @Option(names = "--image-retention-days", required = true) double imageRetentionDays;
    @Option(names = "--history-days", required = true) double historyDays;
    @Option(names = "--rss-ceiling-mb", defaultValue = "0", description = "fast mode: the peak RSS must stay below this (0: not checked)") double rssCeilingMb;
    @Option(names = "--drain-seconds", defaultValue = "180", description = "after sending: how long to wait for deliveries and an empty spool") int drainSeconds;
    @Option(names = "--out", required = true, description = "folder for soak.csv, soak.png and report.md") Path out;

    /** What one series may grow by over 24 h, and why that bound. */
    record Bound(String name, String unit, double scale, double perDay, ToDoubleFunction<Sample> value, boolean judgedWhenFast, String why) {}

    /**
     * At 2 studies/s a router takes 172,800 studies a day: whatever is left behind per study, per association or per
     * minutely retention run adds up to far more than these bounds, so a leak of that kind fails them.
     */
    static final List<Bound> BOUNDS = List.of(
            new Bound("router RSS", "MiB", MIB, 128, s -> s.rssBytes(), false,
                    "≥ 800 bytes kept per study exceed it; a 30-min run cannot resolve less than a few hundred MiB/day of RSS"),
            new Bound("open file descriptors", "", 1, 100, s -> s.fds(), false,
                    "one descriptor per study, association or minutely run would be 1,440–172,800 a day"),
            new Bound("threads", "", 1, 100, s -> s.threads(), false, "likewise for a thread per association or per retention run"),
            new Bound("pg_database_size", "MiB", MIB, 64, s -> s.databaseBytes(), false,
                    "one un-pruned row of ≥ ~400 bytes (with its index entries) per study exceeds it"),
            new Bound("spool (du -sb)", "MiB", MIB, 64, s -> s.spoolBytes(), false,
                    "one study in a thousand left behind (~0.6 GiB/day), or an empty 4 KiB folder per study (~0.7 GiB/day), exceeds it"),
            new Bound("backlog (all stages)", "jobs", 1, 1000, s -> s.backlogTotal(), true,
                    "0.1 % of the ~860,000 jobs a day (5 per study) left undone"));

    /** One line of the verdict: a series' slope or a check. */
    record Verdict(String name, boolean judged, boolean pass, String detail) {}

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        double warmup = warmupMinutes != null ? warmupMinutes : warmupMinutes();
        if (warmup >= minutes) throw new IllegalArgumentException("warm-up (" + warmup + " min) must be shorter than the run (" + minutes + " min)");
        long pid = ResourceSampler.javaProcess(routerPid);
        List<Sample> samples = new ArrayList<>();
        Path csv = out.resolve("soak.csv");
        System.out.printf(Locale.ROOT, "soak: %.1f min at %.1f studies/s (1–2 images of %d × %d each), warm-up %.1f min, samples every %d s, router pid %d%n",
                minutes, rate, columns, rows, warmup, SAMPLE_EVERY.toSeconds(), pid);
        int studiesAtEndOfSending;
        double sendingEndSeconds, drainedAfter = -1;
        try (ResourceSampler sampler = new ResourceSampler(pid, spool, routerMetrics, databaseUrl, databaseUser, databasePassword);
             StudySender sender = new StudySender(RemoteAe.parse(router), rate, rows, columns, senders, pacs, modelId, modelVersion);
             PrintWriter csvOut = new PrintWriter(Files.newBufferedWriter(csv))) {
            csvOut.println(csvHeader());
            sender.start();
            long t0 = sender.startNanos();
            long durationNanos = (long) (minutes * 60e9);
            int k = 0;
            for (; ; k++) {
                long at = t0 + k * SAMPLE_EVERY.toNanos();
                if (at - t0 > durationNanos) break;
                sleepUntil(at);
                samples.add(record(csvOut, sampler, sender, (at - t0) / 1e9 < warmup * 60 ? "warmup" : "steady"));
            }
            sender.stop();
            sendingEndSeconds = (System.nanoTime() - t0) / 1e9;
            studiesAtEndOfSending = sender.sentCount();
            System.out.printf(Locale.ROOT, "soak: sending stopped at %.0f s (%d studies sent, %d failed); draining for up to %d s%n",
                    sendingEndSeconds, sender.sentCount(), sender.failedCount(), drainSeconds);
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
            while (true) {
                long at = t0 + k++ * SAMPLE_EVERY.toNanos();
                sleepUntil(at);
                Sample s = record(csvOut, sampler, sender, "drain");
                samples.add(s);
                if (drained(s)) {
                    drainedAfter = s.seconds() - sendingEndSeconds;
                    break;
                }
                if (System.nanoTime() > drainDeadline) break;
            }
            csvOut.flush();
            List<Verdict> verdicts = new ArrayList<>();
            Map<String, SoakChart.Fit> fits = new LinkedHashMap<>();
            List<Sample> steady = samples.stream().filter(s -> s.phase().equals("steady")).toList();
            String table = slopeTable(steady, fits, verdicts);
            verdicts.addAll(checks(samples, sender, drainedAfter));
            SoakChart.write(out.resolve("soak.png"), String.format(Locale.ROOT, "Soak: %.0f min, %.1f studies/s, demo model, short retention%s",
                    minutes, rate, fast ? " (fast)" : ""), samples, warmup, sendingEndSeconds / 60, fits);
            String report = report(table, verdicts, sender, warmup, sendingEndSeconds, drainedAfter, samples);
            Files.writeString(out.resolve("report.md"), report);
            System.out.print(report);
            boolean pass = verdicts.stream().allMatch(v -> !v.judged() || v.pass());
            System.out.println("soak: " + (pass ? "PASS" : "FAIL") + " (CSV " + csv + ", chart " + out.resolve("soak.png") + ")");
            return pass ? 0 : 1;
        }
    }

    /**
     * The slope test must start once every retention period has run its course: rows live up to the history period,
     * plus a minute until the retention job fires, plus a minute for the spool to let go of them first. Fast: 30 s.
     */
    double warmupMinutes() {
        if (fast) return Math.min(0.5, minutes / 4);
        return Math.max(0.3 * minutes, historyDays * 24 * 60 + 2 * RETENTION_FIRING.toMinutes());
    }

    /** Sending has stopped and the pipeline has let go of everything: stages idle, every SR there, no spool file or canonical image left. */
    private boolean drained(Sample s) {
        int stages = s.backlogTotal() - s.backlog().getOrDefault(JobKind.RETENTION.id(), 0);
        return stages == 0 && s.studiesDelivered() >= s.studiesSent() && s.spoolFiles() == 0 && s.imageRows() == 0;
    }

    private static Sample record(PrintWriter csv, ResourceSampler sampler, StudySender sender, String phase) throws Exception {
        ResourceSampler.Process p = sampler.process();
        ResourceSampler.Jvm jvm = sampler.jvm();
        ResourceSampler.Database d = sampler.database();
        ResourceSampler.Spool sp = sampler.spool();
        // The sample's time is when its readings were done: a study begun while they were taken is in them.
        double seconds = (System.nanoTime() - sender.startNanos()) / 1e9;
        int delivered = sender.checkDeliveries();
        Sample s = new Sample(seconds, phase, p.rssBytes(), jvm.heapUsedBytes(), jvm.nonHeapUsedBytes(), p.threads(), p.fds(), d.bytes(), sp.bytes(), sp.files(), sp.dirs(), d.backlog(),
                sender.sentCount(), sender.failedCount(), delivered, d.studyRows(), d.imageRows(), d.jobRows());
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.2f,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", s.seconds(), s.phase(), s.rssBytes(),
                s.heapUsedBytes(), s.nonHeapUsedBytes(), s.threads(), s.fds(), s.databaseBytes(), s.spoolBytes(), s.spoolFiles(), s.spoolDirs(), s.backlogTotal()));
        for (JobKind kind : JobKind.values()) line.append(',').append(s.backlog().getOrDefault(kind.id(), 0));
        line.append(String.format(Locale.ROOT, ",%d,%d,%d,%d,%d,%d", s.studiesSent(), s.studiesFailed(), s.studiesDelivered(), s.studyRows(),
                s.imageRows(), s.jobRows()));
        csv.println(line);
        csv.flush();
        System.out.printf(Locale.ROOT, "  %6.0f s %-6s rss %5.0f MiB (heap %4.0f, non-heap %4.0f)  fds %4d  threads %3d  db %6.1f MiB  spool %7.1f MiB (%d files, %d dirs)  backlog %3d  sent %d delivered %d failed %d%n",
                s.seconds(), s.phase(), s.rssBytes() / MIB, s.heapUsedBytes() / MIB, s.nonHeapUsedBytes() / MIB, s.fds(), s.threads(), s.databaseBytes() / MIB, s.spoolBytes() / MIB, s.spoolFiles(),
                s.spoolDirs(), s.backlogTotal(), s.studiesSent(), s.studiesDelivered(), s.studiesFailed());
        return s;
    }

    static String csvHeader() {
        StringBuilder h = new StringBuilder("seconds,phase,rss_bytes,heap_used_bytes,nonheap_used_bytes,threads,fds,database_bytes,spool_bytes,spool_files,spool_dirs,backlog_total");
        for (JobKind kind : JobKind.values()) h.append(",backlog_").append(kind.id());
        return h.append(",studies_sent,studies_failed,studies_delivered,study_rows,canonical_image_rows,job_rows").toString();
    }

    private String slopeTable(List<Sample> steady, Map<String, SoakChart.Fit> fits, List<Verdict> verdicts) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "| series | mean after warm-up | slope per hour | growth over 24 h (95 %% interval) | bound over 24 h | verdict |%n"));
        int fitted = steady.size() < 3 ? 0 : minuteMeans(new double[steady.size()], new double[steady.size()])[0].length;
        t.append("|---|---|---|---|---|---|\n");
        for (Bound b : BOUNDS) {
            boolean judged = !fast || b.judgedWhenFast();
            if (steady.size() < 3) {
                verdicts.add(new Verdict(b.name(), judged, false, "too few samples after the warm-up"));
                t.append(String.format(Locale.ROOT, "| %s | – | – | – | %s | %s |%n", b.name(), amount(b.perDay(), b.unit()),
                        judged ? "FAIL (too few samples)" : "not judged"));
                continue;
            }
            double[][] points = minuteMeans(steady.stream().mapToDouble(s -> s.seconds() / 3600).toArray(),
                    steady.stream().mapToDouble(s -> b.value().applyAsDouble(s) / b.scale()).toArray());
            double[] hours = points[0];
            Trend trend = Trend.fit(hours, points[1]);
            boolean fails = trend.growsSignificantly() && trend.perDay() > b.perDay();
            String verdict = !judged ? "not judged (fast)" : fails ? "FAIL" : trend.perDay() <= b.perDay() ? "PASS" : "PASS (not significant)";
            verdicts.add(new Verdict(b.name(), judged, !fails, verdict));
            double interceptAtZero = trend.mean() - trend.slopePerHour() * (java.util.Arrays.stream(hours).average().orElse(0));
            fits.put(b.name(), new SoakChart.Fit(b.name(), hours[0] * 60, hours[hours.length - 1] * 60, interceptAtZero, trend.slopePerHour() / 60));
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s (%s … %s) | %s | %s |%n", b.name(), amount(trend.mean(), b.unit()),
                    signed(trend.slopePerHour(), b.unit()), signed(trend.perDay(), b.unit()), bound(trend.lowPerHour() * 24), bound(trend.highPerHour() * 24),
                    "< " + amount(b.perDay(), b.unit()), verdict));
        }
        t.append(String.format(Locale.ROOT, "%nLines fitted to %d %s after the warm-up; the interval allows for autocorrelation; FAIL only when "
                + "the growth is both beyond doubt (interval above zero) and above the bound.%n", fitted,
                fitted == steady.size() ? "samples (10 s apart)" : "one-minute means"));
        return t.toString();
    }

    /**
     * The retention jobs fire every minute, so every series has a one-minute cycle (the spool a sawtooth of ~400 MiB): the line
     * is fitted to one-minute means (blocks of six samples, an incomplete last block left out) when there are at least five,
     * else to the samples themselves.
     */
    static double[][] minuteMeans(double[] hours, double[] values) {
        int block = (int) (RETENTION_FIRING.toSeconds() / SAMPLE_EVERY.toSeconds()), blocks = hours.length / block;
        if (blocks < 5) return new double[][] {hours, values};
        double[] h = new double[blocks], v = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            for (int i = b * block; i < (b + 1) * block; i++) {
                h[b] += hours[i] / block;
                v[b] += values[i] / block;
            }
        }
        return new double[][] {h, v};
    }

    private List<Verdict> checks(List<Sample> samples, StudySender sender, double drainedAfter) {
        List<Verdict> v = new ArrayList<>();
        v.add(new Verdict("no failed association or C-STORE", true, sender.failedCount() == 0,
                sender.failedCount() + " of " + sender.dueCount() + " studies failed" + (sender.failures().isEmpty() ? "" : ": " + sender.failures().get(0))));
        int sent = sender.sentCount(), delivered = sender.checkDeliveries();
        v.add(new Verdict("every sent study delivered (its SR at storescp)", true, delivered == sent,
                delivered + " of " + sent + " delivered" + (delivered == sent ? "" : ", " + (sent - delivered) + " not")));
        int late = sender.lateOverOneSecond(), due = Math.max(1, sender.dueCount());
        v.add(new Verdict("steady rate: ≥ 99 % of studies started within 1 s of their time", true, late <= due / 100,
                String.format(Locale.ROOT, "%d of %d started over 1 s late (latest %.2f s)", late, due, sender.maxLateSeconds())));
        v.add(bounded("canonical images pruned on time", samples, sender, Sample::imageRows, imageRetentionDays));
        v.add(bounded("spool files deleted on time", samples, sender, Sample::spoolFiles, spoolRetentionDays));
        Sample last = samples.get(samples.size() - 1);
        v.add(new Verdict("after sending: stages idle, every SR there, no spool file or canonical image left", true, drainedAfter >= 0,
                drainedAfter >= 0 ? String.format(Locale.ROOT, "within %.0f s (spool then %d files, %d folders, %.1f MiB)", drainedAfter,
                        last.spoolFiles(), last.spoolDirs(), last.spoolBytes() / MIB)
                        : String.format(Locale.ROOT, "not within %d s: backlog %d, %d undelivered, spool %d files, %d canonical images", drainSeconds,
                        last.backlogTotal(), last.studiesSent() - last.studiesDelivered(), last.spoolFiles(), last.imageRows())));
        if (fast && rssCeilingMb > 0) {
            double peak = samples.stream().mapToLong(Sample::rssBytes).max().orElse(0) / MIB;
            v.add(new Verdict("router RSS stays below " + (long) rssCeilingMb + " MiB", true, peak < rssCeilingMb,
                    String.format(Locale.ROOT, "peak %.0f MiB", peak)));
        }
        if (fast) {
            v.add(level("open file descriptors stay within " + FAST_LEVEL_MARGIN + " of their level after the warm-up", samples, Sample::fds));
            v.add(level("threads stay within " + FAST_LEVEL_MARGIN + " of their level after the warm-up", samples, Sample::threads));
        }
        return v;
    }

    /**
     * Fast: two minutes are too short for a slope of a few descriptors a day, but one left behind per study or association
     * would add hundreds after the warm-up.
     */
    private static Verdict level(String name, List<Sample> samples, java.util.function.ToIntFunction<Sample> count) {
        Sample base = samples.stream().filter(s -> s.phase().equals("steady")).findFirst().orElse(samples.get(samples.size() - 1));
        int level = count.applyAsInt(base);
        int peak = samples.stream().filter(s -> s.seconds() >= base.seconds()).mapToInt(count).max().orElse(level);
        return new Verdict(name, true, peak <= level + FAST_LEVEL_MARGIN, String.format(Locale.ROOT, "%d at %.0f s, at most %d after", level,
                base.seconds(), peak));
    }

    /**
     * What a retention period allows: at any sample, no more rows (or files) than the images sent within the period,
     * plus a minute until the retention job fires, plus the time a study takes through the pipeline.
     */
    private Verdict bounded(String name, List<Sample> samples, StudySender sender, ToDoubleFunction<Sample> count, double retentionDays) {
        Duration window = Duration.ofMillis((long) (retentionDays * 86_400_000)).plus(RETENTION_FIRING).plus(PIPELINE_SLACK);
        long t0 = sender.startNanos();
        int worst = 0;
        double worstExcess = Double.NEGATIVE_INFINITY, peak = 0;
        for (Sample s : samples) {
            int allowed = sender.imagesSentWithin(t0 + (long) (s.seconds() * 1e9), window);
            double value = count.applyAsDouble(s);
            peak = Math.max(peak, value);
            if (value - allowed > worstExcess) {
                worstExcess = value - allowed;
                worst = allowed;
            }
        }
        boolean pass = worstExcess <= 0;
        return new Verdict(name, true, pass, String.format(Locale.ROOT, "at most the images sent in the last %d s; peak %.0f%s", window.toSeconds(), peak,
                pass ? "" : String.format(Locale.ROOT, ", once %.0f against %d allowed", worst + worstExcess, worst)));
    }

    private String report(String table, List<Verdict> verdicts, StudySender sender, double warmup, double sendingEnd, double drainedAfter,
                          List<Sample> samples) {
        StringBuilder r = new StringBuilder("\n");
        double[] latency = sender.deliverySeconds();
        r.append(String.format(Locale.ROOT, "Soak%s: %.1f min sending at %.1f studies/s (%d due, %d sent, %d failed, %d delivered; achieved %.2f studies/s), "
                        + "warm-up %.1f min, %d samples after it; SR %.1f s after the last C-STORE at p50, %.1f s p95, %.1f s max.%n%n",
                fast ? " (fast)" : "", minutes, rate, sender.dueCount(), sender.sentCount(), sender.failedCount(), sender.checkDeliveries(),
                (sender.sentCount() + sender.failedCount()) / sendingEnd, warmup, samples.stream().filter(s -> s.phase().equals("steady")).count(),
                percentile(latency, 0.5), percentile(latency, 0.95), latency.length == 0 ? Double.NaN : latency[latency.length - 1]));
        r.append(table).append('\n');
        r.append("| check | result | detail |\n|---|---|---|\n");
        for (Verdict v : verdicts) {
            if (BOUNDS.stream().anyMatch(b -> b.name().equals(v.name()))) continue;
            r.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", v.name(), v.pass() ? "PASS" : "FAIL", v.detail()));
        }
        return r.append('\n').toString();
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        double index = p * (sorted.length - 1);
        int low = (int) Math.floor(index), high = (int) Math.ceil(index);
        return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
    }

    private static String amount(double value, String unit) {
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f%s" : "%.1f%s", value, unit.isEmpty() ? "" : " " + unit);
    }

    private static String signed(double value, String unit) {
        return (value >= 0 ? "+" : "−") + amount(Math.abs(value), unit);
    }

    private static String bound(double value) {
        if (Double.isInfinite(value)) return value > 0 ? "+∞" : "−∞";
        return (value >= 0 ? "+" : "−") + String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.1f", Math.abs(value));
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }
}
