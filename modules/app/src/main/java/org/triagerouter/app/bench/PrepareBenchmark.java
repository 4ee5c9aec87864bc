package org.triagerouter.app.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.PngImages;
import org.triagerouter.dicom.pixels.RenderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench prepare}: the prepare stage's pixel work per file (canonical rendering and its PNG) against
 * dcmtk's {@code dcmj2pnm +on +Syv 1024} on the same file, interleaved in the same run, for a 10 MB uncompressed DX
 * and the same image in JPEG Lossless; then what one file allocates, from a JFR recording of the rendering thread.
 */
@Command(name = "bench-prepare", hidden = true, description = "Prepare per file against dcmj2pnm, with a JFR allocation profile (used by scripts/bench).")
public final class PrepareBenchmark implements Callable<Integer> {
    @Option(names = "--work", required = true) Path work;
    @Option(names = "--rounds", defaultValue = "15") int rounds;
    @Option(names = "--warmup", defaultValue = "10") int warmup;
    @Option(names = "--rows", defaultValue = "2500") int rows;
    @Option(names = "--columns", defaultValue = "2048") int columns;
    @Option(names = "--max-side", defaultValue = "1024") int maxSide;
    @Option(names = "--profiled-files", defaultValue = "5") int profiledFiles;

    private record Case(String name, Path file, double target) {}

    private record Timing(double[] oursMs, double[] peerMs) {}

    private record Allocation(double jfrTlabBytes, double jfrSampledBytes, double exactBytes, int canonicalBytes, int pngBytes,
                              List<String> topSites) {}

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(work);
        Path plain = work.resolve("dx-uncompressed.dcm");
        SyntheticChestImages.write(SyntheticChestImages.Spec.chest("DX", "PA", false, rows, columns, 42), plain);
        Path jpeg = work.resolve("dx-jpeg-lossless.dcm");
        run("dcmcjpeg", "+e1", plain.toString(), jpeg.toString());
        List<Case> cases = List.of(new Case("uncompressed", plain, 4), new Case("JPEG Lossless SV1", jpeg, 2));

        System.out.printf(Locale.ROOT, "Prepare per file: synthetic DX %d x %d, 16 bits allocated (12 stored); ours = canonical rendering"
                + " (longest side %d) + PNG, in process; peer = dcmj2pnm +on +Syv %d, a process per file. %d interleaved rounds after %d"
                + " warm-up, %d cores.%n%n", columns, rows, maxSide, maxSide, rounds, warmup, Runtime.getRuntime().availableProcessors());
        System.out.println("| file | size MB | ours ms min / median | dcmj2pnm ms min / median | ratio (median) | target | result |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Case c : cases) {
            Timing t = time(c.file());
            double ours = median(t.oursMs()), peer = median(t.peerMs());
            double ratio = peer / ours;
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f / %.1f | %.1f / %.1f | %.1f× | ≥ %.0f× | %s |%n", c.name(), Files.size(c.file()) / 1e6,
                    min(t.oursMs()), ours, min(t.peerMs()), peer, ratio, c.target(), ratio >= c.target() ? "PASS" : "BELOW");
        }
        System.out.println();
        System.out.println("Allocation per file on the rendering thread (JFR jdk.ObjectAllocationInNewTLAB + OutsideTLAB, and the sum of"
                + " jdk.ObjectAllocationSample weights; exact: the thread's allocated-bytes counter). Canonical = the 8-bit output.");
        System.out.println();
        System.out.println("| file | canonical KB | PNG KB | JFR TLAB+outside KB | JFR sampled KB | exact KB | exact / canonical | target (uncompressed) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        List<String> sites = new ArrayList<>();
        for (Case c : cases) {
            Allocation a = allocation(c.file());
            double multiple = a.exactBytes() / a.canonicalBytes();
            String target = c.target() == 4 ? (multiple <= 2 ? "≤ 2× PASS" : "≤ 2× ABOVE") : "—";
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f× | %s |%n", c.name(), a.canonicalBytes() / 1024.0,
                    a.pngBytes() / 1024.0, a.jfrTlabBytes() / 1024, a.jfrSampledBytes() / 1024, a.exactBytes() / 1024, multiple, target);
            sites.add(c.name() + ": " + String.join("; ", a.topSites()));
        }
        System.out.println();
        System.out.println("Largest allocation sites (JFR samples, KB per file):");
        sites.forEach(s -> System.out.println("- " + s));
        return 0;
    }

    /** What the prepare stage does with a file's pixels: render, then encode. */
    private byte[] prepare(Path file) throws RenderException {
        return PngImages.encode(CanonicalRenderer.render(file, maxSide));
    }

    private Timing time(Path file) throws Exception {
        Path png = work.resolve("dcmj2pnm.png");
        for (int i = 0; i < warmup; i++) prepare(file);
        for (int i = 0; i < 2; i++) dcmj2pnm(file, png);
        double[] ours = new double[rounds], peer = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Alternate who goes first, so neither always runs right after the other's disk and cache traffic.
            if (r % 2 == 0) {
                ours[r] = timeOurs(file);
                peer[r] = dcmj2pnm(file, png);
            } else {
                peer[r] = dcmj2pnm(file, png);
                ours[r] = timeOurs(file);
            }
        }
        return new Timing(ours, peer);
    }

    private double timeOurs(Path file) throws RenderException {
        long start = System.nanoTime();
        prepare(file);
        return (System.nanoTime() - start) / 1e6;
    }

    private static double dcmj2pnm(Path file, Path png) throws IOException, InterruptedException {
        long start = System.nanoTime();
        run("dcmj2pnm", "+on", "+Syv", "1024", file.toString(), png.toString());
        return (System.nanoTime() - start) / 1e6;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed with status " + p.exitValue());
    }

    /** Renders the file {@code profiledFiles} times on a thread of its own, under a JFR recording of allocations. */
    private Allocation allocation(Path file) throws Exception {
        Gray8Image sample = CanonicalRenderer.render(file, maxSide);
        int pngBytes = PngImages.encode(sample).length;
        Path jfr = work.resolve("allocation.jfr");
        long[] exact = new long[1];
        Exception[] failure = new Exception[1];
        Thread worker = new Thread(() -> {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                for (int i = 0; i < profiledFiles; i++) prepare(file);
            } catch (Exception e) {
                failure[0] = e;
            }
            exact[0] = threads.getCurrentThreadAllocatedBytes() - before;
        }, "bench-prepare-profiled");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationSample").with("throttle", "10000/s").withStackTrace();
            recording.start();
            worker.start();
            worker.join();
            recording.stop();
            recording.dump(jfr);
        }
        if (failure[0] != null) throw failure[0];
        double tlab = 0, sampled = 0;
        Map<String, Double> bySite = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getThread() == null || !"bench-prepare-profiled".equals(e.getThread().getJavaName())) continue;
            switch (e.getEventType().getName()) {
                case "jdk.ObjectAllocationInNewTLAB" -> tlab += e.getLong("tlabSize");
                case "jdk.ObjectAllocationOutsideTLAB" -> tlab += e.getLong("allocationSize");
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    sampled += weight;
                    bySite.merge(site(e), (double) weight, Double::sum);
                }
                default -> { }
            }
        }
        Files.deleteIfExists(jfr);
        int n = profiledFiles;
        List<String> top = bySite.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5)
                .map(s -> String.format(Locale.ROOT, "%s %.0f", s.getKey(), s.getValue() / n / 1024)).toList();
        return new Allocation(tlab / n, sampled / n, (double) exact[0] / n, sample.pixels().length, pngBytes, top);
    }

    /** The allocated class and the first frame of ours (or the top frame) that allocated it. */
    private static String site(RecordedEvent e) {
        String type = e.getClass("objectClass").getName();
        if (e.getStackTrace() == null) return type;
        RecordedFrame chosen = null;
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            if (chosen == null) chosen = f;
            if (f.getMethod().getType().getName().startsWith("org.triagerouter.")) {
                chosen = f;
                break;
            }
        }
        return chosen == null ? type : type + " in " + simpleName(chosen.getMethod().getType().getName()) + "." + chosen.getMethod().getName();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }
}
