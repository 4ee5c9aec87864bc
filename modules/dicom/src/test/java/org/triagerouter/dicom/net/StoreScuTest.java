package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.TestRouter;

/** The router's SCU against dcmtk's storescp, PixelMed's SCP, and small SCPs of our own that answer what a test wants. */
class StoreScuTest {
    @TempDir
    Path work;
    List<Path> images;
    List<Part10Meta> metas;

    @BeforeEach
    void images() throws IOException {
        images = SyntheticChestImages.writeSet(work.resolve("images"), 3, 1200, 1000, 21);
        metas = images.stream().map(p -> {
            try {
                return Part10.readMeta(p);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).toList();
    }

    @Test
    void storesIntoDcmtkStorescpWithHighPriorityWhenAsked() throws Exception {
        int port = ExternalTool.freePort();
        Path out = Files.createDirectories(work.resolve("storescp"));
        Path log = work.resolve("storescp.log");
        // +B: storescp writes the data set exactly as it arrived, so the file shows what our SCU sent.
        Process storescp = ExternalTool.start(log, "storescp", "-d", "+B", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port));
        try {
            ExternalTool.awaitListening(port, Duration.ofSeconds(10));
            try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("ROUTER"),
                    new RemoteAe("STORESCP", "127.0.0.1", port), ClientAssociation.contextsFor(metas))) {
                assertEquals(DimseStatus.SUCCESS, association.store(images.get(0), Priority.HIGH));
                assertEquals(DimseStatus.SUCCESS, association.store(images.get(1), Priority.MEDIUM));
                association.release();
            }
        } finally {
            storescp.destroy();
            storescp.waitFor();
        }
        String printed = Files.readString(log);
        List<String> priorities = printed.lines().filter(l -> l.contains("Priority")).map(String::trim).toList();
        assertEquals(2, priorities.size(), printed);
        assertTrue(priorities.get(0).endsWith(": high"), priorities.get(0));
        assertTrue(priorities.get(1).endsWith(": medium"), priorities.get(1));
        for (int i = 0; i < 2; i++) {
            Path received = out.resolve("DX." + metas.get(i).sopInstanceUid());
            assertTrue(Files.exists(received), "storescp did not write " + received);
            assertArrayEquals(StoreScpInteropTest.dataSet(images.get(i)), StoreScpInteropTest.dataSet(received));
        }
    }

    @Test
    void storesIntoPixelmedScp() throws Exception {
        int port = ExternalTool.freePort();
        Path out = Files.createDirectories(work.resolve("pixelmed"));
        List<String> receivedFiles = new CopyOnWriteArrayList<>();
        StorageSOPClassSCPDispatcher dispatcher = new StorageSOPClassSCPDispatcher(port, "PIXELMED", out.toFile(), new ReceivedObjectHandler() {
            @Override
            public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAe) {
                receivedFiles.add(fileName);
            }
        });
        Thread thread = new Thread(dispatcher);
        thread.setDaemon(true);
        thread.start();
        try {
            // isReady rather than a probe connection, which PixelMed would log as a failed association.
            long ready = System.currentTimeMillis() + 10_000;
            while (!dispatcher.isReady() && System.currentTimeMillis() < ready) Thread.sleep(20);
            try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("ROUTER"),
                    new RemoteAe("PIXELMED", "127.0.0.1", port), ClientAssociation.contextsFor(metas))) {
                for (Path image : images) assertEquals(DimseStatus.SUCCESS, association.store(image, Priority.MEDIUM));
                association.release();
            }
            long deadline = System.currentTimeMillis() + 5000;
            while (receivedFiles.size() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        } finally {
            dispatcher.shutdown();
        }
        assertEquals(3, receivedFiles.size());
        List<String> uids = receivedFiles.stream().map(f -> {
            try {
                return Part10.readMeta(Path.of(f)).sopInstanceUid();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).sorted().toList();
        assertEquals(metas.stream().map(Part10Meta::sopInstanceUid).sorted().toList(), uids);
    }

    @Test
    void reportsEachResponseStatusExactly() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (TestRouter scp = TestRouter.builder(work.resolve("scp")).status(instance -> switch (calls.getAndIncrement()) {
            case 0 -> DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, "disk full");
            case 1 -> DimseStatus.of(DimseStatus.WARNING_DATASET_DOES_NOT_MATCH, null);
            default -> DimseStatus.of(DimseStatus.COERCION_OF_DATA_ELEMENTS, null);
        }).start();
             ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("ROUTER"),
                     new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", scp.port()), ClientAssociation.contextsFor(metas))) {
            DimseStatus refused = association.store(images.get(0), Priority.MEDIUM);
            assertEquals(0xA700, refused.code());
            assertEquals("disk full", refused.comment());
            assertTrue(refused.isFailure());

            DimseStatus warning = association.store(images.get(1), Priority.MEDIUM);
            assertEquals(0xB007, warning.code());
            assertTrue(warning.isWarning());

            DimseStatus coercion = association.store(images.get(2), Priority.LOW);
            assertEquals(0xB000, coercion.code());
            association.release();
            assertEquals(Priority.LOW, scp.received.get(2).priority());
        }
    }

    @Test
    void givesUpWhenThePeerNeverAnswersTheAssociationRequest() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readAllBytes();
                } catch (IOException ignored) {
                    // the SCU hung up, as it should
                }
            });
            ClientSettings settings = new ClientSettings("ROUTER", Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), 65536, null);
            long start = System.nanoTime();
            DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> ClientAssociation.open(settings,
                    new RemoteAe("SILENT", "127.0.0.1", silent.getLocalPort()), ClientAssociation.contextsFor(metas)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            assertTrue(seconds < 5, "gave up after " + seconds + " s");
            acceptor.join(5000);
        }
    }

    @Test
    void givesUpWhenThePeerNeverAnswersTheStoreRequest() throws Exception {
        try (TestRouter slow = TestRouter.builder(work.resolve("slow")).status(instance -> {
            try {
                Thread.sleep(8000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DimseStatus.SUCCESS;
        }).start()) {
            ClientSettings settings = ClientSettings.defaults("ROUTER").withDimseTimeout(Duration.ofSeconds(1));
            ClientAssociation association = ClientAssociation.open(settings,
                    new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", slow.port()), ClientAssociation.contextsFor(metas));
            long start = System.nanoTime();
            DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> association.store(images.get(0), Priority.HIGH));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("no DIMSE response"), e.getMessage());
            assertTrue(seconds < 5, "gave up after " + seconds + " s");
            assertThrows(DicomNetworkException.class, association::echo, "association is unusable after the abort");
        }
    }

    @Test
    void refusedConnectionIsAClearError() throws Exception {
        int port = ExternalTool.freePort();
        DicomNetworkException e = assertThrows(DicomNetworkException.class, () -> ClientAssociation.open(ClientSettings.defaults("ROUTER"),
                new RemoteAe("NOBODY", "127.0.0.1", port), ClientAssociation.contextsFor(metas)));
        assertTrue(e.getMessage().startsWith("cannot connect to NOBODY@127.0.0.1:" + port), e.getMessage());
    }
}
