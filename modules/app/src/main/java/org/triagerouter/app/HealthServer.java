package org.triagerouter.app;

import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The HTTP side of the router: a health endpoint now; the dashboard and API come with their issue. */
final class HealthServer implements Closeable {
    private final HttpServer server;

    HealthServer(String bind, int port, String aeTitle, int dicomPort) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        } catch (IOException e) {
            throw new IOException("cannot listen for HTTP on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", exchange -> {
            byte[] body = String.format("{\"status\":\"ok\",\"aeTitle\":\"%s\",\"dicomPort\":%d}%n", aeTitle, dicomPort)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
    }

    void start() { server.start(); }

    int port() { return server.getAddress().getPort(); }

    @Override
    public void close() { server.stop(0); }
}
