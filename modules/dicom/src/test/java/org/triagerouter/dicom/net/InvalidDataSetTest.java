package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.TestRouter;

/** Bad data sets get a failure status naming the problem, leave no file, and do not disturb good ones. */
class InvalidDataSetTest {
    @TempDir
    Path work;

    @Test
    void truncatedAndRandomDataSetsFailWhileGoodOnesInTheSameAssociationAreStored() throws Exception {
        List<Path> images = SyntheticChestImages.writeSet(work.resolve("images"), 3, 1000, 800, 11);
        try (TestRouter router = TestRouter.builder(work.resolve("router")).start();
             ClientAssociation association = open(router)) {
            DimseStatus good = store(association, images.get(0), null, Integer.MAX_VALUE);
            assertEquals(DimseStatus.SUCCESS, good);

            Part10Meta truncatedMeta = Part10.readMeta(images.get(1));
            long fullLength = Files.size(images.get(1)) - truncatedMeta.dataSetOffset();
            DimseStatus truncated = store(association, images.get(1), null, fullLength / 3);
            assertEquals(DimseStatus.CANNOT_UNDERSTAND_TRUNCATED, truncated.code(), truncated.toString());
            assertTrue(truncated.comment().contains("shorter") || truncated.comment().contains("ends inside"), truncated.comment());

            byte[] noise = new byte[200_000];
            new Random(5).nextBytes(noise);
            DimseStatus random = association.store(Uids.DX_FOR_PRESENTATION, Uids.newUid(), Uids.EXPLICIT_VR_LE,
                    new ByteArrayInputStream(noise), noise.length, Priority.MEDIUM);
            assertTrue(random.isFailure(), random.toString());
            assertEquals(0xC000, random.code() & 0xF000, random.toString());

            DimseStatus mismatch = store(association, images.get(2), Uids.newUid(), Integer.MAX_VALUE);
            assertEquals(DimseStatus.CANNOT_UNDERSTAND_UID_MISMATCH, mismatch.code(), mismatch.toString());

            DimseStatus goodAgain = store(association, images.get(2), null, Integer.MAX_VALUE);
            assertEquals(DimseStatus.SUCCESS, goodAgain);
            association.release();

            assertEquals(2, router.received.size());
            try (var stored = Files.list(router.stored)) {
                assertEquals(2, stored.count());
            }
            assertTrue(Files.exists(router.storedFile(Part10.readMeta(images.get(0)).sopInstanceUid())));
            assertTrue(Files.exists(router.storedFile(Part10.readMeta(images.get(2)).sopInstanceUid())));
            assertEquals(0, router.leftoverIncomingFiles());
        }
    }

    @Test
    void transferCutOffMidDataSetLeavesNoFileBehind() throws Exception {
        Path image = SyntheticChestImages.writeSet(work.resolve("images"), 1, 1000, 800, 12).get(0);
        Part10Meta meta = Part10.readMeta(image);
        try (TestRouter router = TestRouter.builder(work.resolve("router")).start()) {
            ClientAssociation association = open(router);
            InputStream failing = new InputStream() {
                private int sent;

                @Override
                public int read() throws IOException {
                    if (sent++ > 300_000) throw new IOException("source failed");
                    return 0;
                }
            };
            assertThrows(IOException.class, () -> association.store(meta.sopClassUid(), meta.sopInstanceUid(),
                    meta.transferSyntaxUid(), failing, 1_600_000, Priority.MEDIUM));
            long deadline = System.currentTimeMillis() + 10_000;
            while (router.closedAssociations.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertEquals(List.of(false), router.closedAssociations, "association should end as not released");
            assertEquals(0, router.leftoverIncomingFiles());
            assertTrue(router.received.isEmpty());
        }
    }

    static ClientAssociation open(TestRouter router) throws IOException {
        return ClientAssociation.open(ClientSettings.defaults("TESTSCU"),
                new RemoteAe(TestRouter.AE_TITLE, "127.0.0.1", router.port()),
                List.of(PresentationContext.proposed(1, Uids.DX_FOR_PRESENTATION, List.of(Uids.EXPLICIT_VR_LE)),
                        PresentationContext.proposed(3, Uids.CR_IMAGE_STORAGE, List.of(Uids.EXPLICIT_VR_LE))));
    }

    /** Sends a file's data set, optionally under another SOP Instance UID or cut to {@code maxLength} bytes. */
    private static DimseStatus store(ClientAssociation association, Path file, String sopInstanceOverride, long maxLength) throws IOException {
        Part10Meta meta = Part10.readMeta(file);
        byte[] all = Files.readAllBytes(file);
        byte[] dataSet = Arrays.copyOfRange(all, (int) meta.dataSetOffset(), all.length);
        int length = (int) Math.min(dataSet.length, maxLength);
        return association.store(meta.sopClassUid(), sopInstanceOverride != null ? sopInstanceOverride : meta.sopInstanceUid(),
                meta.transferSyntaxUid(), new ByteArrayInputStream(dataSet, 0, length), length, Priority.MEDIUM);
    }
}
