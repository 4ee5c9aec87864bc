package org.triagerouter.store.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.triagerouter.store.DatabaseSettings;

/**
 * A PostgreSQL server of its own: initdb into a temporary folder, pg_ctl on a free loopback port. Tests get one
 * through {@link PostgresExtension} (shared by a whole test run, or private to a test that stops and starts it to
 * play an outage without touching any other cluster). Runs as the postgres user when the tests run as root
 * (PostgreSQL refuses to run as root).
 */
public final class PostgresServer implements AutoCloseable {
    private static final AtomicInteger databases = new AtomicInteger();

    private final Path directory;
    private final Path bin;
    private final int port;

    private PostgresServer(Path directory, Path bin, int port) {
        this.directory = directory;
        this.bin = bin;
        this.port = port;
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path directory = Files.createTempDirectory("triage-pg-");
        if (isRoot()) {
            UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(directory, postgres);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(directory, bin, port);
        server.run(Duration.ofSeconds(120), bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", "triage",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        server.startServer();
        return server;
    }

    public int port() { return port; }

    /** A new, empty database on this server. */
    public DatabaseSettings createDatabase() throws SQLException {
        String name = "triage_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "triage", "");
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return new DatabaseSettings(url(name), "triage", "", 8, Duration.ofSeconds(2));
    }

    public String url(String database) { return "jdbc:postgresql://127.0.0.1:" + port + "/" + database; }

    /** Stops the server immediately (pg_ctl -m immediate): what a crash or an outage looks like to clients. */
    public void stopServer() throws IOException, InterruptedException {
        run(Duration.ofSeconds(60), bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop");
    }

    /** Restarts the server as an administrator would (pg_ctl restart -m fast): every session is ended, the server is back at once. */
    public void restartServer() throws IOException, InterruptedException {
        run(Duration.ofSeconds(60), bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop");
        startServer();
    }

    public void startServer() throws IOException, InterruptedException {
        // 200 connections: one server serves every test class of a module's run, router processes included.
        run(Duration.ofSeconds(60), bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", directory.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c max_connections=200", "-w", "start");
    }

    private Path data() { return directory.resolve("data"); }

    private void run(Duration timeout, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (isRoot()) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(command));
        Path log = Files.createTempFile("pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out: " + Files.readString(log));
            }
            if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean isRoot() { return "root".equals(System.getProperty("user.name")); }

    /** PostgreSQL's server binaries: TRIAGE_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
    static Path binaries() throws IOException {
        String configured = System.getenv("TRIAGE_PG_BIN");
        if (configured != null) return Path.of(configured);
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IOException("no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/test to install them)"));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(Duration.ofSeconds(60), bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop");
        } catch (IOException alreadyStopped) {
            // A test may have stopped it.
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
