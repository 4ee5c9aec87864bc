package org.triagerouter.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time from /proc, so a benchmark can say who spent the machine's cores: a process with all its descendants
 * (live ones, and those already reaped through cutime/cstime), and the machine as a whole.
 */
final class ProcessCpu {
    /** /proc counts in USER_HZ, which is 100 on Linux. */
    static final double MS_PER_TICK = 10;

    private ProcessCpu() {}

    /** User + system ticks of {@code root} and every process below it, including the children they reaped; -1 when unreadable. */
    static long treeTicks(long root) {
        try {
            Map<Long, List<Long>> children = new HashMap<>();
            Map<Long, Long> ticks = new HashMap<>();
            try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path process : processes) {
                    try {
                        String[] f = stat(process);
                        long pid = Long.parseLong(process.getFileName().toString());
                        children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(pid);
                        ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
                    } catch (IOException | RuntimeException gone) {
                        // exited meanwhile: its parent's reaped-children count has it
                    }
                }
            }
            if (!ticks.containsKey(root)) return -1;
            long total = 0;
            List<Long> pending = new ArrayList<>(List.of(root));
            while (!pending.isEmpty()) {
                long pid = pending.removeLast();
                total += ticks.getOrDefault(pid, 0L);
                pending.addAll(children.getOrDefault(pid, List.of()));
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * User + system ticks of a process's live threads, summed by thread name with its numbers replaced by {@code #}
     * (pool threads "vm-prepare-3" and "vm-prepare-4" count together); threads ONNX Runtime starts are named after the
     * process ("java"). Empty when unreadable.
     */
    static Map<String, Long> threadTicksByName(long pid) {
        Map<String, Long> byName = new java.util.TreeMap<>();
        try (var threads = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path thread : threads) {
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return byName;
    }

    /** User + system ticks of this process alone (its threads, not its children). */
    static long ownTicks() { return selfTicks(11); }

    /** User + system ticks of the children this process has reaped (processes it started that have exited). */
    static long reapedChildrenTicks() { return selfTicks(13); }

    /** The pair of fields of /proc/self/stat from {@code first} (utime+stime at 11, cutime+cstime at 13), summed; -1 when unreadable. */
    private static long selfTicks(int first) {
        try {
            String[] f = stat(Path.of("/proc/self"));
            return Long.parseLong(f[first]) + Long.parseLong(f[first + 1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy ticks of the whole machine, summed over its CPUs: user, nice, system, irq and softirq from /proc/stat (not idle, iowait, steal). */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 7; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The fields of /proc/PID/stat after the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime. */
    static String[] stat(Path process) throws IOException {
        String stat = Files.readString(process.resolve("stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }
}
