package org.triagerouter.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.triagerouter.store.Database;

/**
 * The HTTP side of the router, for now the probes an orchestrator or IT monitoring calls:
 * {@code /health/live} (the process answers) and {@code /health/ready} (database reachable, spool
 * writable and above its free-space floor, model loaded). The dashboard and API come with their issue.
 */
final class HealthServer implements Closeable {
    private final HttpServer server;

    /** What readiness depends on. */
    record Readiness(Database database, Path spool, long minFreeBytes, BooleanSupplier modelLoaded) {}

    HealthServer(String bind, int port, String aeTitle, int dicomPort, Readiness readiness) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        } catch (IOException e) {
            throw new IOException("cannot listen for HTTP on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        String identity = String.format("\"aeTitle\":\"%s\",\"dicomPort\":%d", aeTitle, dicomPort);
        server.createContext("/health/live", exchange -> respond(exchange, 200, "{\"status\":\"live\"," + identity + "}"));
        server.createContext("/health/ready", exchange -> {
            List<String> problems = problems(readiness);
            respond(exchange, problems.isEmpty() ? 200 : 503, problems.isEmpty()
                    ? "{\"status\":\"ready\"," + identity + "}"
                    : "{\"status\":\"not ready\",\"problems\":[\"" + String.join("\",\"", problems) + "\"]," + identity + "}");
        });
        server.createContext("/health", exchange -> respond(exchange, 200, "{\"status\":\"ok\"," + identity + "}"));
    }

    private static List<String> problems(Readiness r) {
        List<String> problems = new ArrayList<>();
        try (Connection c = r.database().connection()) {
            if (!c.isValid(2)) problems.add("database not answering");
        } catch (Exception e) {
            problems.add("database unreachable");
        }
        try {
            if (!Files.isWritable(r.spool())) problems.add("spool not writable");
            else if (Files.getFileStore(r.spool()).getUsableSpace() < r.minFreeBytes()) problems.add("spool below its free-space floor");
        } catch (IOException e) {
            problems.add("spool unavailable");
        }
        if (!r.modelLoaded().getAsBoolean()) problems.add("model not loaded");
        return problems;
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    void start() { server.start(); }

    int port() { return server.getAddress().getPort(); }

    @Override
    public void close() { server.stop(0); }
}
