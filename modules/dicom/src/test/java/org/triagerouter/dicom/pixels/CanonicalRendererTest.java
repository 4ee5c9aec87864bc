package org.triagerouter.dicom.pixels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;

/**
 * Golden tests: the canonical rendering against dcmtk's dcmj2pnm, an independent decoder and
 * windowing, for every transfer syntax the router decodes. dcmtk cannot decode JPEG 2000, so the
 * lossless JPEG 2000 file (made by GDCM) is held against dcmj2pnm's rendering of its uncompressed source.
 */
class CanonicalRendererTest {
    private static final int FULL_SIZE = 100_000;

    @TempDir
    static Path dir;
    static Path mono2;
    static Path mono1;

    @BeforeAll
    static void images() throws Exception {
        List<Path> set = SyntheticChestImages.writeSet(dir.resolve("src"), 4, 500, 400, 5);
        mono2 = set.get(0); // DX PA, MONOCHROME2
        mono1 = set.get(2); // CR, MONOCHROME1
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "explicit-le, none",
            "implicit-le, dcmconv +ti",
            "big-endian, dcmconv +tb",
            "deflated, dcmconv +td",
            "jpeg-lossless-sv1, dcmcjpeg +e1",
            "jpeg-lossless-nh14, dcmcjpeg +el",
            "rle, dcmcrle",
    })
    void losslessSyntaxesMatchDcmtkWithinOneGreyLevel(String name, String tool) throws Exception {
        for (Path source : List.of(mono2, mono1)) {
            Path file = encode(source, tool, name);
            Gray8Image ours = CanonicalRenderer.render(file, FULL_SIZE);
            assertEquals("header", ours.windowSource());
            Difference d = compare(ours, dcmj2pnm(file, ours.windowCenter(), ours.windowWidth()));
            assertTrue(d.max <= 1 && d.mean <= 0.5, name + " " + source.getFileName() + ": " + d);
        }
    }

    @Test
    void jpeg2000LosslessMatchesTheUncompressedSource() throws Exception {
        for (Path source : List.of(mono2, mono1)) {
            Path j2k = dir.resolve("j2k-" + source.getFileName());
            ExternalTool.Result r = ExternalTool.run("gdcmconv", "--j2k", source.toString(), j2k.toString());
            assertEquals(0, r.exitCode(), r.output());
            assertEquals(Uids.JPEG_2000_LOSSLESS, Part10.readMeta(j2k).transferSyntaxUid());
            Gray8Image ours = CanonicalRenderer.render(j2k, FULL_SIZE);
            Difference d = compare(ours, dcmj2pnm(source, ours.windowCenter(), ours.windowWidth()));
            assertTrue(d.max <= 1 && d.mean <= 0.5, source.getFileName() + ": " + d);
        }
    }

    @Test
    void jpegBaselineMatchesDcmtkDecodingTheSameFile() throws Exception {
        Path file = encode(mono2, "dcmcjpeg +eb +be", "baseline");
        assertEquals(Uids.JPEG_BASELINE, Part10.readMeta(file).transferSyntaxUid());
        Gray8Image ours = CanonicalRenderer.render(file, FULL_SIZE);
        Difference d = compare(ours, dcmj2pnm(file, ours.windowCenter(), ours.windowWidth()));
        // Two IDCT implementations: a grey level or two apart, on average well under one.
        assertTrue(d.max <= 4 && d.mean <= 1.0, d.toString());
    }

    @Test
    void monochrome1RendersInverted() throws Exception {
        // The same stored values declared MONOCHROME2 must render as the photographic negative.
        Path declaredMono2 = dir.resolve("mono1-as-mono2.dcm");
        Files.copy(mono1, declaredMono2);
        ExternalTool.Result r = ExternalTool.run("dcmodify", "-nb", "-m", "(0028,0004)=MONOCHROME2", "-m", "(2050,0020)=IDENTITY",
                declaredMono2.toString());
        assertEquals(0, r.exitCode(), r.output());
        Gray8Image positive = CanonicalRenderer.render(declaredMono2, FULL_SIZE);
        Gray8Image asMono1 = CanonicalRenderer.render(mono1, FULL_SIZE);
        int compared = 0;
        for (int i = 0; i < asMono1.pixels().length; i += 97) {
            assertEquals(255 - (positive.pixels()[i] & 0xFF), asMono1.pixels()[i] & 0xFF, 1.0, "pixel " + i);
            compared++;
        }
        assertTrue(compared > 1000);
    }

    @Test
    void missingWindowFallsBackToAPercentileWindow() throws Exception {
        Path file = dir.resolve("no-window.dcm");
        Files.copy(mono2, file);
        ExternalTool.Result r = ExternalTool.run("dcmodify", "-nb", "-ea", "(0028,1050)", "-ea", "(0028,1051)", file.toString());
        assertEquals(0, r.exitCode(), r.output());
        Gray8Image ours = CanonicalRenderer.render(file, FULL_SIZE);
        assertEquals("percentile", ours.windowSource());
        assertTrue(ours.windowWidth() < 4096, "tighter than the full 12-bit range: " + ours.windowWidth());
        Difference d = compare(ours, dcmj2pnm(file, ours.windowCenter(), ours.windowWidth()));
        assertTrue(d.max <= 1 && d.mean <= 0.5, d.toString());
        int saturatedHigh = 0;
        for (byte b : ours.pixels()) if ((b & 0xFF) == 255) saturatedHigh++;
        assertTrue(saturatedHigh < ours.pixels().length / 50, "about 0.5 % clipped at the top, not more: " + saturatedHigh);
    }

    @Test
    void longestSideIsCappedByAreaAveraging() throws Exception {
        Gray8Image full = CanonicalRenderer.render(mono2, FULL_SIZE);
        Gray8Image small = CanonicalRenderer.render(mono2, 250);
        assertEquals(250, small.height());
        assertEquals(200, small.width());
        assertEquals(500, small.sourceHeight());
        // An exact 2×2 reduction: each output pixel is the mean of four source pixels.
        for (int y = 0; y < small.height(); y += 17) {
            for (int x = 0; x < small.width(); x += 13) {
                double mean = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) mean += full.pixels()[(2 * y + dy) * full.width() + 2 * x + dx] & 0xFF;
                }
                assertEquals(mean / 4, small.pixels()[y * small.width() + x] & 0xFF, 1.0, "(" + x + "," + y + ")");
            }
        }
    }

    @Test
    void storeOnlySyntaxFailsWithItsReason() throws Exception {
        Path jls = encode(mono2, "dcmcjpls", "jpeg-ls");
        RenderException e = assertThrows(RenderException.class, () -> CanonicalRenderer.render(jls, 1024));
        assertEquals("unsupported transfer syntax 1.2.840.10008.1.2.4.80 (no Java decoder; stored only)", e.getMessage());
    }

    @Test
    void corruptCompressedPixelDataFailsWithAReasonNotAStackTrace() throws Exception {
        Path file = encode(mono2, "dcmcjpeg +e1", "corrupt");
        byte[] bytes = Files.readAllBytes(file);
        // Wipe the JPEG headers after the SOI marker (tables, frame header), keeping the DICOM structure intact.
        int soi = -1;
        for (int i = (int) Part10.readMeta(file).dataSetOffset(); i < bytes.length - 2 && soi < 0; i++) {
            if ((bytes[i] & 0xFF) == 0xFF && (bytes[i + 1] & 0xFF) == 0xD8 && (bytes[i + 2] & 0xFF) == 0xFF) soi = i;
        }
        assertTrue(soi > 0, "no JPEG stream found");
        for (int i = soi + 2; i < soi + 400; i++) bytes[i] = 0;
        Files.write(file, bytes);
        RenderException e = assertThrows(RenderException.class, () -> CanonicalRenderer.render(file, 1024));
        assertTrue(e.getMessage().startsWith("cannot decode pixel data (1.2.840.10008.1.2.4.70)"), e.getMessage());
    }

    private static Path encode(Path source, String tool, String name) throws Exception {
        if (tool.equals("none")) return source;
        Path out = dir.resolve(name + "-" + source.getFileName());
        List<String> command = new ArrayList<>(List.of(tool.split(" ")));
        command.add(source.toString());
        command.add(out.toString());
        ExternalTool.Result r = ExternalTool.run(java.time.Duration.ofSeconds(60), command);
        assertEquals(0, r.exitCode(), r.output());
        return out;
    }

    private static BufferedImage dcmj2pnm(Path file, double center, double width) throws Exception {
        Path png = Files.createTempFile(dir, "dcmtk-", ".png");
        ExternalTool.Result r = ExternalTool.run("dcmj2pnm", "+Ww", String.valueOf(center), String.valueOf(width), "+on",
                file.toString(), png.toString());
        assertEquals(0, r.exitCode(), r.output());
        return ImageIO.read(png.toFile());
    }

    record Difference(int max, double mean) {}

    private static Difference compare(Gray8Image ours, BufferedImage theirs) {
        assertEquals(theirs.getWidth(), ours.width());
        assertEquals(theirs.getHeight(), ours.height());
        int[] reference = theirs.getRaster().getSamples(0, 0, ours.width(), ours.height(), 0, (int[]) null);
        int max = 0;
        long sum = 0;
        for (int i = 0; i < reference.length; i++) {
            int diff = Math.abs((ours.pixels()[i] & 0xFF) - reference[i]);
            max = Math.max(max, diff);
            sum += diff;
        }
        return new Difference(max, (double) sum / reference.length);
    }
}
