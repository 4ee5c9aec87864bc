package org.triagerouter.dicom.pixels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.file.PixelDataLocation;
import org.triagerouter.dicom.pixels.StreamedRenderingTest.Image;
import org.triagerouter.dicom.testing.ExternalTool;

/**
 * The streaming lossless JPEG decoder against dcmtk's: every predictor, with and without a point transform, 8 to
 * 16 bits, odd sizes. dcmcjpeg encodes, dcmdjpeg decodes the same file to native pixels; every row must match.
 */
class JpegLosslessRowsTest {
    @TempDir
    Path dir;

    @Test
    void everyPredictorAndPointTransformDecodesLikeDcmtk() throws Exception {
        List<Image> images = List.of(
                new Image("12-of-16", 131, 97, 16, 12, false, false, 1, 0, new double[] {2048, 4096}, null, null, 1024),
                new Image("16-of-16", 77, 53, 16, 16, false, false, 1, 0, new double[] {32768, 65536}, null, null, 1024),
                new Image("8-of-8", 65, 41, 8, 8, false, false, 1, 0, new double[] {128, 256}, null, null, 1024),
                new Image("16-of-16-spikes", 89, 67, 16, 16, false, false, 1, 0, new double[] {32768, 65536}, null, null, 1024));
        int decoded = 0;
        for (Image image : images) {
            int[] raw = StreamedRenderingTest.rawValues(image);
            // dcmcjpeg encodes Bits Stored bits: the garbage above them is not part of a lossless JPEG.
            for (int i = 0; i < raw.length; i++) raw[i] &= (1 << image.bitsStored()) - 1;
            if (image.name().endsWith("spikes")) {
                // Rare large jumps make rare difference categories, whose Huffman codes are longer than the lookup's 9 bits.
                java.util.Random random = new java.util.Random(3);
                for (int i = 0; i < raw.length; i++) if (random.nextInt(40) == 0) raw[i] = random.nextInt(65536);
            }
            Path source = StreamedRenderingTest.write(dir, image, raw, image.name() + ".dcm");
            for (int predictor = 1; predictor <= 7; predictor++) {
                for (int pointTransform : new int[] {0, 2}) {
                    Path jpeg = dir.resolve(image.name() + "-sv" + predictor + "-pt" + pointTransform + ".dcm");
                    run("dcmcjpeg", "+el", "+sv", String.valueOf(predictor), "+pt", String.valueOf(pointTransform), source.toString(), jpeg.toString());
                    assertEquals(Uids.JPEG_LOSSLESS_NH14, Part10.readMeta(jpeg).transferSyntaxUid());
                    Path plain = dir.resolve("decoded.dcm");
                    run("dcmdjpeg", jpeg.toString(), plain.toString());
                    assertSameRows(plain, image, jpeg, image + " predictor " + predictor + " Pt " + pointTransform);
                    decoded++;
                }
            }
        }
        assertEquals(56, decoded);
    }

    private static void assertSameRows(Path plain, Image image, Path jpeg, String what) throws Exception {
        Part10Meta plainMeta = Part10.readMeta(plain);
        PixelDataLocation native_ = InstanceFiles.locatePixelData(plain, plainMeta);
        PixelDataLocation encapsulated = InstanceFiles.locatePixelData(jpeg, Part10.readMeta(jpeg));
        try (PixelRows expected = new StreamedPixelRows(new StreamedPixelRows.Source(plain, native_.position(), plainMeta.dataSetOffset(),
                false, false), image.columns(), image.bitsAllocated());
             JpegLosslessRows actual = new JpegLosslessRows(() -> {
                 InputStream in = new BufferedInputStream(Files.newInputStream(jpeg));
                 in.skipNBytes(encapsulated.position());
                 return new FragmentStream(in);
             })) {
            assertEquals(image.columns(), actual.width(), what);
            assertEquals(image.rows(), actual.height(), what);
            int[] e = new int[image.columns()], a = new int[image.columns()];
            for (int y = 0; y < image.rows(); y++) {
                expected.next(e);
                actual.next(a);
                assertArrayEquals(e, a, what + ", row " + y);
            }
        }
    }

    private static void run(String... command) throws Exception {
        ExternalTool.Result r = ExternalTool.run(java.time.Duration.ofSeconds(60), new ArrayList<>(List.of(command)));
        assertEquals(0, r.exitCode(), r.output());
    }
}
