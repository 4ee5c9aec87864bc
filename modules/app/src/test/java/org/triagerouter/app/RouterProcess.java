package org.triagerouter.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real {@code triage-router serve} in a child JVM, configured by environment only, for tests that use it as a user would. */
final class RouterProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private RouterProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static RouterProcess serve(Path work, Map<String, String> env) throws Exception {
        return serve(work, "serve.log", env);
    }

    /** As {@link #serve(Path, Map)}, logging to {@code logName} in {@code work} (several routers in one folder). */
    static RouterProcess serve(Path work, String logName, Map<String, String> env) throws Exception {
        RouterProcess router = launch(work, logName, env);
        router.awaitLine("Triage Router ready");
        return router;
    }

    /** Starts {@code serve} without waiting for it to be ready (e.g. to see it refuse to start). */
    static RouterProcess launch(Path work, Map<String, String> env) throws Exception {
        return launch(work, "serve.log", env);
    }

    static RouterProcess launch(Path work, String logName, Map<String, String> env) throws Exception {
        Path log = work.resolve(logName);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TRIAGE_"));
        builder.environment().put("TRIAGE_SPOOL_MIN_FREE_MB", "0");
        builder.environment().putAll(env);
        return new RouterProcess(builder.start(), log);
    }

    String awaitLine(String needle) throws Exception { return awaitLine(log, needle, process, 60); }

    /** The first line of {@code log} that holds {@code needle}; fails with the log when the process ends or time runs out. */
    static String awaitLine(Path log, String needle, Process process, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String found = Files.readString(log).lines().filter(l -> l.contains(needle)).findFirst().orElse(null);
            if (found != null) return found;
            if (!process.isAlive()) {
                Thread.sleep(200); // let the last lines reach the file
                throw new AssertionError("process exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + needle + "' within " + seconds + " s: " + Files.readString(log));
    }

    String output() throws IOException { return Files.readString(log); }

    /** The process id, for signals the JDK has no method for (SIGSTOP, SIGCONT). */
    long pid() { return process.pid(); }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " failed");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
