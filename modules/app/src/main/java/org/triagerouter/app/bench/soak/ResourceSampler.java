package org.triagerouter.app.bench.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.triagerouter.store.JobKind;

/** Reads the router process's memory, threads and descriptors from /proc, its database's size and backlog, and its spool's size. */
final class ResourceSampler implements AutoCloseable {
    private final long pid;
    private final Path spool;
    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Connection database;

    ResourceSampler(long pid, Path spool, URI metrics, String databaseUrl, String user, String password) throws SQLException {
        this.pid = pid;
        this.spool = spool;
        this.metrics = metrics;
        this.database = DriverManager.getConnection(databaseUrl, user, password);
        this.database.setAutoCommit(true);
    }

    record Process(long rssBytes, int threads, int fds) {}

    record Jvm(long heapUsedBytes, long nonHeapUsedBytes) {}

    record Database(long bytes, Map<String, Integer> backlog, long studyRows, long imageRows, long jobRows) {}

    record Spool(long bytes, int files, int dirs) {}

    /** VmRSS and Threads from /proc/PID/status, and the entries of /proc/PID/fd. */
    Process process() throws IOException {
        long rss = -1;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            else if (line.startsWith("Threads:")) threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
        int fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) entries.count();
        }
        return new Process(rss, threads, fds);
    }

    /** Heap and non-heap in use, summed over the memory pools the router's Prometheus endpoint lists; -1 when it does not answer. */
    Jvm jvm() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) return new Jvm(-1, -1);
            double heap = 0, nonHeap = 0;
            for (String line : response.body().split("\n")) {
                if (!line.startsWith("jvm_memory_used_bytes{")) continue;
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.contains("area=\"heap\"")) heap += value;
                else if (line.contains("area=\"nonheap\"")) nonHeap += value;
            }
            return new Jvm((long) heap, (long) nonHeap);
        } catch (IOException | RuntimeException e) {
            return new Jvm(-1, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Jvm(-1, -1);
        }
    }

    Database database() throws SQLException {
        try (Statement s = database.createStatement()) {
            long bytes = scalar(s, "select pg_database_size(current_database())");
            Map<String, Integer> backlog = new LinkedHashMap<>();
            for (JobKind kind : JobKind.values()) backlog.put(kind.id(), 0);
            try (ResultSet rs = s.executeQuery("select kind, count(*) from job where state in ('queued', 'running') group by kind")) {
                while (rs.next()) backlog.put(rs.getString(1), rs.getInt(2));
            }
            return new Database(bytes, backlog, scalar(s, "select count(*) from study"), scalar(s, "select count(*) from canonical_image"),
                    scalar(s, "select count(*) from job"));
        }
    }

    /** What {@code du -sb} reports (apparent sizes of every file and folder, the spool's own included), tolerating files that go meanwhile. */
    Spool spool() throws IOException {
        long[] totals = new long[3];
        Files.walkFileTree(spool, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                totals[0] += attributes.size();
                if (!dir.equals(spool)) totals[2]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                totals[0] += attributes.size();
                if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".dcm")) totals[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // deleted by retention meanwhile
                throw new UncheckedIOException(e);
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (e != null && !(e instanceof NoSuchFileException)) throw new UncheckedIOException(e);
                return FileVisitResult.CONTINUE;
            }
        });
        return new Spool(totals[0], (int) totals[1], (int) totals[2]);
    }

    private static long scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The JVM among {@code pid} and its descendants (a launcher such as env or setsid may sit in between). */
    static long javaProcess(long pid) {
        List<ProcessHandle> candidates = Stream.concat(ProcessHandle.of(pid).stream(), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants))
                .toList();
        for (ProcessHandle p : candidates) {
            try {
                if (Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).trim().equals("java")) return p.pid();
            } catch (IOException e) {
                // gone meanwhile: try the next
            }
        }
        throw new IllegalArgumentException("no java process at or under pid " + pid);
    }

    @Override
    public void close() throws SQLException { database.close(); }
}
