package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.network.MultipleInstanceTransferStatusHandler;
import com.pixelmed.network.StorageSOPClassSCU;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.TestRouter;

/** The store SCP against independent SCUs: dcmtk's storescu and echoscu, and PixelMed's StorageSOPClassSCU. */
class StoreScpInteropTest {
    @TempDir
    static Path images;
    static List<Path> fullSizeImages;

    @TempDir
    Path work;

    @BeforeAll
    static void generateImages() throws Exception {
        List<Path> generated = SyntheticChestImages.writeSet(images.resolve("full"), 20, 2500, 2048, 7);
        // storescu re-encodes what it sends in dcmtk's own form (explicit-length sequences): pass the files
        // through dcmconv first, so the files on disk are exactly the bytes storescu puts on the wire.
        fullSizeImages = new ArrayList<>();
        Files.createDirectories(images.resolve("sent"));
        for (Path p : generated) {
            Path canonical = images.resolve("sent").resolve(p.getFileName());
            ExternalTool.Result result = ExternalTool.run("dcmconv", p.toString(), canonical.toString());
            assertEquals(0, result.exitCode(), result.output());
            fullSizeImages.add(canonical);
        }
    }

    @Test
    void storescuStoresTwentyChestImagesByteForByte() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start()) {
            List<String> command = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1",
                    String.valueOf(router.port())));
            fullSizeImages.forEach(p -> command.add(p.toString()));
            ExternalTool.Result result = ExternalTool.run(java.time.Duration.ofSeconds(120), command);
            assertEquals(0, result.exitCode(), result.output());

            assertEquals(20, router.received.size());
            for (Path sent : fullSizeImages) {
                Part10Meta meta = Part10.readMeta(sent);
                Path stored = router.storedFile(meta.sopInstanceUid());
                assertTrue(Files.exists(stored), "missing " + meta.sopInstanceUid());
                assertArrayEquals(dataSet(sent), dataSet(stored), "data set of " + sent.getFileName() + " differs");
                Part10Meta storedMeta = Part10.readMeta(stored);
                assertEquals(meta.sopClassUid(), storedMeta.sopClassUid());
                assertEquals(Uids.EXPLICIT_VR_LE, storedMeta.transferSyntaxUid());
            }
            ReceivedInstance first = router.received.get(0);
            assertEquals("MODALITY", first.association().callingAeTitle());
            assertEquals("CHEST", first.header().bodyPartExamined());
            assertEquals(0, router.leftoverIncomingFiles());
        }
    }

    @Test
    void echoscuSucceeds() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start()) {
            ExternalTool.Result result = ExternalTool.run("echoscu", "-v", "-aec", "TRIAGE", "127.0.0.1", String.valueOf(router.port()));
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().contains("Received Echo Response (Success)"), result.output());
        }
    }

    @Test
    void callingAeOutsideTheAllowListIsRejected() throws Exception {
        try (TestRouter router = TestRouter.builder(work).allowedCallingAes("CR_ROOM_1", "PACS").start()) {
            String port = String.valueOf(router.port());
            ExternalTool.Result stranger = ExternalTool.run("echoscu", "-aet", "STRANGER", "-aec", "TRIAGE", "127.0.0.1", port);
            assertNotEquals(0, stranger.exitCode());
            assertTrue(stranger.output().contains("Calling AE Title Not Recognized"), stranger.output());

            ExternalTool.Result known = ExternalTool.run("echoscu", "-aet", "CR_ROOM_1", "-aec", "TRIAGE", "127.0.0.1", port);
            assertEquals(0, known.exitCode(), known.output());
        }
    }

    @Test
    void unknownCalledAeIsRejected() throws Exception {
        try (TestRouter router = TestRouter.builder(work).start()) {
            ExternalTool.Result result = ExternalTool.run("echoscu", "-aec", "NOT_US", "127.0.0.1", String.valueOf(router.port()));
            assertNotEquals(0, result.exitCode());
            assertTrue(result.output().contains("Called AE Title Not Recognized"), result.output());
        }
    }

    @Test
    void jpegLosslessFileArrivesInThatSyntax() throws Exception {
        Path compressed = work.resolve("lossless.dcm");
        ExternalTool.Result encode = ExternalTool.run("dcmcjpeg", "+e1", fullSizeImages.get(0).toString(), compressed.toString());
        assertEquals(0, encode.exitCode(), encode.output());
        assertEquals(Uids.JPEG_LOSSLESS_SV1, Part10.readMeta(compressed).transferSyntaxUid());
        try (TestRouter router = TestRouter.builder(work).start()) {
            // -xs: propose JPEG Lossless first, then the uncompressed syntaxes, as a modality would.
            ExternalTool.Result result = ExternalTool.run("storescu", "-xs", "-aec", "TRIAGE", "127.0.0.1", String.valueOf(router.port()),
                    compressed.toString());
            assertEquals(0, result.exitCode(), result.output());
            Part10Meta sent = Part10.readMeta(compressed);
            Path stored = router.storedFile(sent.sopInstanceUid());
            assertEquals(Uids.JPEG_LOSSLESS_SV1, Part10.readMeta(stored).transferSyntaxUid());
            assertEquals(Uids.JPEG_LOSSLESS_SV1, router.received.get(0).transferSyntaxUid());
            assertArrayEquals(dataSet(compressed), dataSet(stored));
        }
    }

    /** dcmconv re-encodes a generated image; each syntax must arrive as sent and pass the structure check. */
    @ParameterizedTest
    @CsvSource({"+ti, -xi, 1.2.840.10008.1.2", "+tb, -xb, 1.2.840.10008.1.2.2", "+td, -xd, 1.2.840.10008.1.2.1.99"})
    void uncompressedSyntaxesArriveAsSent(String option, String propose, String transferSyntax) throws Exception {
        Path small = SyntheticChestImages.writeSet(work.resolve("small"), 1, 256, 200, 3).get(0);
        Path converted = work.resolve("converted.dcm");
        ExternalTool.Result convert = ExternalTool.run("dcmconv", option, small.toString(), converted.toString());
        assertEquals(0, convert.exitCode(), convert.output());
        try (TestRouter router = TestRouter.builder(work).start()) {
            ExternalTool.Result result = ExternalTool.run("storescu", "-aec", "TRIAGE", propose, "127.0.0.1",
                    String.valueOf(router.port()), converted.toString());
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(1, router.received.size());
            assertEquals(transferSyntax, router.received.get(0).transferSyntaxUid());
            byte[] storedDataSet = dataSet(router.storedFile(router.received.get(0).sopInstanceUid()));
            if (Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntax)) {
                // storescu deflates anew and pads the stream to even length: compare what it inflates to.
                assertArrayEquals(inflate(dataSet(converted)), inflate(storedDataSet));
            } else {
                assertArrayEquals(dataSet(converted), storedDataSet);
            }
        }
    }

    @Test
    void pixelmedStorageScuStoresIntoTheRouter() throws Exception {
        List<Path> files = fullSizeImages.subList(0, 4);
        try (TestRouter router = TestRouter.builder(work).start()) {
            SetOfDicomFiles set = new SetOfDicomFiles();
            for (Path f : files) set.add(f.toFile());
            AtomicInteger completed = new AtomicInteger(-1);
            AtomicInteger failed = new AtomicInteger(-1);
            MultipleInstanceTransferStatusHandler status = new MultipleInstanceTransferStatusHandler() {
                @Override
                public void updateStatus(int remaining, int nCompleted, int nFailed, int nWarning, String sopInstanceUid) {
                    completed.set(nCompleted);
                    failed.set(nFailed);
                }
            };
            StorageSOPClassSCU scu = new StorageSOPClassSCU("127.0.0.1", router.port(), "TRIAGE", "PIXELMED", set, 0, status);
            assertFalse(scu.encounteredTrappedExceptions());
            assertEquals(4, completed.get());
            assertEquals(0, failed.get());
            for (Path f : files) {
                Path stored = router.storedFile(Part10.readMeta(f).sopInstanceUid());
                assertTrue(Files.exists(stored));
                assertEquals(Arrays.hashCode(pixelTail(f)), Arrays.hashCode(pixelTail(stored)), "pixel data changed in transit");
            }
        }
    }

    /** JPEG-LS has no pure-Java decoder: refused by default, stored when a site configures it (store-only). */
    @Test
    void jpegLsIsRefusedByDefaultAndAcceptedWhenConfigured() throws Exception {
        Path jls = work.resolve("jls.dcm");
        ExternalTool.Result encode = ExternalTool.run("dcmcjpls", fullSizeImages.get(1).toString(), jls.toString());
        assertEquals(0, encode.exitCode(), encode.output());
        assertEquals(Uids.JPEG_LS_LOSSLESS, Part10.readMeta(jls).transferSyntaxUid());
        try (TestRouter router = TestRouter.builder(work.resolve("default")).start()) {
            ExternalTool.Result result = ExternalTool.run("storescu", "-xt", "-R", "-aec", "TRIAGE", "127.0.0.1",
                    String.valueOf(router.port()), jls.toString());
            assertNotEquals(0, result.exitCode(), result.output());
            assertTrue(router.received.isEmpty());
        }
        List<String> withJpegLs = new ArrayList<>(Uids.DECODABLE_TRANSFER_SYNTAXES);
        withJpegLs.add(Uids.JPEG_LS_LOSSLESS);
        try (TestRouter router = TestRouter.builder(work.resolve("configured")).transferSyntaxes(withJpegLs).start()) {
            ExternalTool.Result result = ExternalTool.run("storescu", "-xt", "-R", "-aec", "TRIAGE", "127.0.0.1",
                    String.valueOf(router.port()), jls.toString());
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(Uids.JPEG_LS_LOSSLESS, router.received.get(0).transferSyntaxUid());
        }
    }

    private static byte[] inflate(byte[] deflated) throws IOException {
        try (var in = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(deflated), new java.util.zip.Inflater(true))) {
            return in.readAllBytes();
        }
    }

    static byte[] dataSet(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int offset = (int) Part10.readMeta(file).dataSetOffset();
        return Arrays.copyOfRange(all, offset, all.length);
    }

    /** The last megabyte of the file: pixel data, whatever encoding the SCU chose for the header. */
    private static byte[] pixelTail(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOfRange(all, all.length - (1 << 20), all.length);
    }
}
