package org.triagerouter.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;

/**
 * What the tests that run real routers share: a modality that sends synthetic chest images, dcmtk's storescp as
 * the PACS, and waiting for a condition as a user watching the screen would.
 */
final class PacsFixture {
    private PacsFixture() {}

    /** A frontal DX image of {@code size}² pixels in the given study and series, with a new SOP Instance UID. */
    static Path image(Path dir, String study, String series, long seed, int size) throws IOException {
        Path file = Files.createDirectories(dir).resolve(seed + ".dcm");
        SyntheticChestImages.write(new SyntheticChestImages.Spec("DX", "PA", false, size, size, seed, "SYN" + seed, study, series, Uids.newUid()),
                file);
        return file;
    }

    /** The files in one association to the router on {@code port} (called AE TRIAGE), released at the end. */
    static List<DimseStatus> send(int port, List<Path> files) throws Exception {
        List<Part10Meta> metas = new ArrayList<>();
        for (Path f : files) metas.add(Part10.readMeta(f));
        List<DimseStatus> statuses = new ArrayList<>();
        try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("MODALITY"), new RemoteAe("TRIAGE", "127.0.0.1", port),
                ClientAssociation.contextsFor(metas))) {
            for (Path f : files) statuses.add(association.store(f, Priority.MEDIUM));
            association.release();
        }
        return statuses;
    }

    /** storescp as AE PACS on {@code port}, writing into {@code out}; waits until it accepts connections. */
    static Process startStorescp(int port, Path out, Path log) throws Exception {
        Files.createDirectories(out);
        Process p = new ProcessBuilder("storescp", "-aet", "PACS", "-od", out.toString(), String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("storescp listening", 10, () -> accepts(port));
        return p;
    }

    /** The SRs storescp has written (it names files after the SOP class). */
    static List<Path> srFiles(Path pacs) throws IOException {
        try (Stream<Path> files = Files.list(pacs)) {
            return files.filter(p -> p.getFileName().toString().startsWith("SR")).toList();
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until {@code check} holds; fails naming {@code what} when {@code seconds} pass first. */
    static void await(String what, int seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (check.holds()) return;
            Thread.sleep(200);
        }
        assertTrue(check.holds(), what + " within " + seconds + " s");
    }
}
