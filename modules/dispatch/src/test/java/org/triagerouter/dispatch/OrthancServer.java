package org.triagerouter.dispatch;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real PACS for the tests: Debian's Orthanc with its own configuration, on loopback ports of its own. */
final class OrthancServer implements AutoCloseable {
    final int dicomPort;
    final int httpPort;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private OrthancServer(int dicomPort, int httpPort, Process process) {
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
        this.process = process;
    }

    static OrthancServer start(Path directory) throws Exception {
        return start(directory, "");
    }

    /** {@code extraConfig}: further top-level members of orthanc.json, each followed by a comma (e.g. DicomModalities). */
    static OrthancServer start(Path directory, String extraConfig) throws Exception {
        int dicom = freePort(), web = freePort();
        Files.createDirectories(directory.resolve("storage"));
        Path config = directory.resolve("orthanc.json");
        Files.writeString(config, """
                {
                  %s
                  "Name": "TriageRouterTest",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "DicomAet": "ORTHANC",
                  "DicomPort": %d,
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "DicomCheckCalledAet": true,
                  "DicomAlwaysAllowStore": true,
                  "DicomAlwaysAllowEcho": true,
                  "Plugins": []
                }
                """.formatted(extraConfig, directory.resolve("storage"), directory.resolve("storage"), dicom, web));
        Process process = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true)
                .redirectOutput(directory.resolve("orthanc.log").toFile()).start();
        OrthancServer server = new OrthancServer(dicom, web, process);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (server.get("/system").contains("\"DicomAet\"")) return server;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
            if (!process.isAlive()) throw new IOException("Orthanc exited: " + Files.readString(directory.resolve("orthanc.log")));
        }
        server.close();
        throw new IOException("Orthanc did not start: " + Files.readString(directory.resolve("orthanc.log")));
    }

    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException(path + ": HTTP " + r.statusCode());
        return r.body();
    }

    byte[] getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
