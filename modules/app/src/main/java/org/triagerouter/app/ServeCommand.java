package org.triagerouter.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Run the router: DICOM C-STORE/C-ECHO SCP and the HTTP server.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", description = "YAML configuration file (default: $TRIAGE_CONFIG, else built-in defaults)")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        RouterConfig settings;
        try {
            Path file = config != null ? config : System.getenv("TRIAGE_CONFIG") == null ? null : Path.of(System.getenv("TRIAGE_CONFIG"));
            settings = RouterConfig.load(file, System.getenv());
        } catch (RouterConfig.ConfigException e) {
            return fail("bad configuration: " + e.getMessage());
        }
        DicomServer dicom = null;
        HealthServer http = null;
        try {
            ServerSettings server = settings.serverSettings();
            Path spool = settings.spoolDirectory();
            prepareSpool(spool, server.incomingDirectory());
            dicom = new DicomServer(server, new SpoolStoreHandler(spool));
            dicom.start();
            http = new HealthServer(settings.string(ConfigKey.HTTP_BIND), settings.integer(ConfigKey.HTTP_PORT, 0, 65535),
                    server.aeTitle(), dicom.port());
            http.start();
            log.info("Triage Router ready: AE title {}, DICOM port {}{}, HTTP port {}, spool {}", server.aeTitle(), dicom.port(),
                    server.tls() != null ? " (TLS)" : "", http.port(), spool.toAbsolutePath());
        } catch (RouterConfig.ConfigException e) {
            closeAll(dicom, http);
            return fail("bad configuration: " + e.getMessage());
        } catch (IOException e) {
            closeAll(dicom, http);
            return fail("cannot start: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        DicomServer dicomToClose = dicom;
        HealthServer httpToClose = http;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Triage Router stopping");
            closeAll(dicomToClose, httpToClose);
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** Creates the spool and removes partial files a previous run left: none of them was ever acknowledged. */
    private static void prepareSpool(Path spool, Path incoming) throws IOException {
        try {
            Files.createDirectories(incoming);
        } catch (IOException e) {
            throw new IOException("spool directory " + spool.toAbsolutePath() + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isWritable(spool) || !Files.isWritable(incoming)) {
            throw new IOException("spool directory " + spool.toAbsolutePath() + " is not writable");
        }
        int removed = 0;
        try (DirectoryStream<Path> partial = Files.newDirectoryStream(incoming, "*.part")) {
            for (Path p : partial) {
                Files.deleteIfExists(p);
                removed++;
            }
        }
        if (removed > 0) log.info("removed {} partial file(s) left by an interrupted transfer", removed);
    }

    private static void closeAll(DicomServer dicom, HealthServer http) {
        if (http != null) http.close();
        if (dicom != null) dicom.close();
    }

    private static int fail(String message) {
        System.err.println("triage-router: " + message);
        return 2;
    }
}
