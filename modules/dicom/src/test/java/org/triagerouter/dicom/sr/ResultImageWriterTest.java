package org.triagerouter.dicom.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.StudyAttributes;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.pixels.CanonicalRenderer;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.testing.ExternalTool;

/**
 * The result image (Secondary Capture) checked by independent tools: dicom3tools' dciodvfy (IOD), dcmtk's dcmj2pnm (what a
 * viewer renders) and dcmdump. With {@code -Dtriage.resultImagePng=PATH} the test also leaves the rendering of an
 * abnormal, urgent demo-model result at PATH (docs/result-image.png).
 */
class ResultImageWriterTest {
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 11, 28, 10, 30, 0);

    @TempDir
    static Path dir;
    static List<Path> images;
    static byte[] attributes;
    static InstanceHeader decidingHeader;
    static Gray8Image deciding;
    static TriageResult.SourceImage decidingSource;
    static List<TriageResult.SourceImage> sources = new ArrayList<>();

    @BeforeAll
    static void study() throws Exception {
        images = SyntheticChestImages.writeSet(dir.resolve("study"), 2, 1100, 900, 17);
        for (Path p : images) {
            InstanceHeader h = InstanceFiles.readHeader(p);
            sources.add(new TriageResult.SourceImage(h.seriesInstanceUid(), h.sopClassUid(), h.sopInstanceUid()));
        }
        attributes = StudyAttributes.read(images.get(0));
        decidingHeader = InstanceFiles.readHeader(images.get(0));
        deciding = CanonicalRenderer.render(images.get(0), 1024);
        decidingSource = sources.get(0);
    }

    private static TriageResult abnormalUrgent(int revision) {
        TriageResult.SrReference predecessor = revision == 1 ? null : new TriageResult.SrReference("1.2.3", "1.2.3.4");
        return new TriageResult("ABNORMAL", 0.9134, "URGENT", "cxr-densenet", "2.1", false, "high-sensitivity", 0.42, revision,
                predecessor, sources).withClinicalUse(true);
    }

    private static TriageResult normal() {
        return new TriageResult("NORMAL", 0.1234, "ROUTINE", "cxr-densenet", "2.1", false, "high-sensitivity", 0.42, 1, null, sources)
                .withClinicalUse(true);
    }

    private static TriageResult demo() {
        return new TriageResult("ABNORMAL", 0.9671, "URGENT", "demo", "0.1", true, "default", Double.NaN, 1, null, sources);
    }

    private static TriageReportWriter.WrittenReport write(String name, TriageResult result, Gray8Image image) throws Exception {
        return ResultImageWriter.write(attributes, result, image, image == null ? null : decidingSource, dir.resolve(name + ".dcm"), NOW);
    }

    @Test
    void dciodvfyFindsNoErrorInNormalAbnormalUrgentDemoRevisedAndImagelessResultImages() throws Exception {
        Map<String, TriageReportWriter.WrittenReport> written = new LinkedHashMap<>();
        written.put("normal", write("dv-normal", normal(), deciding));
        written.put("abnormal urgent", write("dv-abnormal", abnormalUrgent(1), deciding));
        written.put("demo model", write("dv-demo", demo(), deciding));
        written.put("revised", write("dv-revised", abnormalUrgent(2), deciding));
        written.put("no deciding image", write("dv-noimage", abnormalUrgent(1), null));
        written.put("not for clinical use", write("dv-nonclinical", abnormalUrgent(1).withClinicalUse(false), deciding));
        for (Map.Entry<String, TriageReportWriter.WrittenReport> e : written.entrySet()) {
            ExternalTool.Result check = ExternalTool.run("dciodvfy", e.getValue().file().toString());
            assertEquals(List.of(), check.output().lines().filter(l -> l.startsWith("Error")).toList(), e.getKey() + ":\n" + check.output());
            assertTrue(check.output().startsWith("SCImage"), "dciodvfy checked it as a Secondary Capture image:\n" + check.output());
        }
    }

    @Test
    void theHeaderIsASecondaryCaptureInANewSeriesOfTheSameStudyWithTheSrsDescription() throws Exception {
        TriageResult result = abnormalUrgent(1);
        TriageReportWriter.WrittenReport written = write("header", result, deciding);
        AttributeList image = read(written.file());
        assertEquals(Uids.SECONDARY_CAPTURE, value(image, TagFromName.SOPClassUID));
        assertEquals(Uids.EXPLICIT_VR_LE, value(image, TagFromName.TransferSyntaxUID), "Part 10, Explicit VR Little Endian");
        assertEquals(decidingHeader.studyInstanceUid(), value(image, TagFromName.StudyInstanceUID), "the same study");
        assertEquals(decidingHeader.studyInstanceUid(), written.studyInstanceUid());
        AttributeList source = read(images.get(0));
        for (AttributeTag copied : List.of(TagFromName.PatientID, TagFromName.PatientName, TagFromName.AccessionNumber, TagFromName.StudyDate)) {
            assertEquals(value(source, copied), value(image, copied), copied.toString());
        }
        assertNotEquals(decidingHeader.seriesInstanceUid(), written.seriesInstanceUid(), "a series of its own");
        assertEquals("OT", value(image, TagFromName.Modality));
        assertEquals("9903", value(image, TagFromName.SeriesNumber));
        assertEquals("1", value(image, TagFromName.InstanceNumber), "instance number = revision");
        assertEquals("AI triage: ABNORMAL 0.91 URGENT", value(image, TagFromName.SeriesDescription));
        assertEquals(TriageReportWriter.seriesDescription(result), written.seriesDescription());
        assertEquals("YES", value(image, TagFromName.BurnedInAnnotation));
        assertEquals(List.of("DERIVED", "SECONDARY"), List.of(Attribute.getStringValues(image, TagFromName.ImageType)));
        assertEquals("WSD", value(image, TagFromName.ConversionType));
        assertEquals("MONOCHROME2", value(image, TagFromName.PhotometricInterpretation));
        assertEquals(List.of("768", "1408", "8", "8", "7", "0"), List.of(value(image, TagFromName.Rows), value(image, TagFromName.Columns),
                value(image, TagFromName.BitsAllocated), value(image, TagFromName.BitsStored), value(image, TagFromName.HighBit),
                value(image, TagFromName.PixelRepresentation)));
        SequenceAttribute sourceImages = (SequenceAttribute) image.get(TagFromName.SourceImageSequence);
        assertEquals(1, sourceImages.getNumberOfItems());
        AttributeList reference = sourceImages.getItem(0).getAttributeList();
        assertEquals(decidingSource.sopInstanceUid(), value(reference, TagFromName.ReferencedSOPInstanceUID));
        assertEquals(decidingSource.sopClassUid(), value(reference, TagFromName.ReferencedSOPClassUID));
        assertTrue(value(image, TagFromName.DerivationDescription).contains(decidingSource.sopInstanceUid()),
                value(image, TagFromName.DerivationDescription));
        assertFalse(value(image, TagFromName.ImageComments).contains("NOT FOR DIAGNOSTIC USE"), "a clinical model's result");

        TriageReportWriter.WrittenReport sr = TriageReportWriter.write(attributes, result, dir.resolve("header-sr.dcm"), NOW);
        TriageReportWriter.WrittenReport kos = KeyObjectWriter.write(attributes, result, sources, dir.resolve("header-kos.dcm"), NOW);
        assertNotEquals(sr.seriesInstanceUid(), written.seriesInstanceUid(), "not the SR's series");
        assertNotEquals(kos.seriesInstanceUid(), written.seriesInstanceUid(), "not the KOS's series");

        AttributeList imageless = read(write("header-noimage", result, null).file());
        assertNull(imageless.get(TagFromName.SourceImageSequence), "no image shown, none referenced");
        AttributeList demo = read(write("header-demo", demo(), deciding).file());
        assertEquals("AI triage (DEMO MODEL): ABNORMAL 0.97 URGENT", value(demo, TagFromName.SeriesDescription));
        assertTrue(value(demo, TagFromName.ImageComments).contains("NOT FOR DIAGNOSTIC USE: demo model"), value(demo, TagFromName.ImageComments));
    }

    @Test
    void uidsAreTheSameForTheSameResultAndARevisionIsANewInstanceNamingItsPredecessor() throws Exception {
        TriageReportWriter.WrittenReport first = ResultImageWriter.write(attributes, abnormalUrgent(1), deciding, decidingSource,
                dir.resolve("uid-1.dcm"), NOW);
        TriageReportWriter.WrittenReport again = ResultImageWriter.write(StudyAttributes.read(images.get(1)), abnormalUrgent(1), null,
                null, dir.resolve("uid-1b.dcm"), NOW.plusHours(2));
        assertEquals(first.sopInstanceUid(), again.sopInstanceUid(), "a resend is the same object");
        assertEquals(first.seriesInstanceUid(), again.seriesInstanceUid());
        assertTrue(Uids.isValid(first.sopInstanceUid()) && Uids.isValid(first.seriesInstanceUid()), first.sopInstanceUid());
        assertEquals(first.sopInstanceUid(), ResultImageWriter.sopInstanceUid(decidingHeader.studyInstanceUid(), "cxr-densenet", "2.1", 1));
        assertEquals(first.seriesInstanceUid(), ResultImageWriter.seriesInstanceUid(decidingHeader.studyInstanceUid(), "cxr-densenet", "2.1"));

        TriageReportWriter.WrittenReport revised = ResultImageWriter.write(attributes, abnormalUrgent(2), deciding, decidingSource,
                dir.resolve("uid-2.dcm"), NOW);
        assertNotEquals(first.sopInstanceUid(), revised.sopInstanceUid(), "a revision is a new instance");
        assertEquals(first.seriesInstanceUid(), revised.seriesInstanceUid(), "in the same series");
        AttributeList image = read(revised.file());
        assertEquals("2", value(image, TagFromName.InstanceNumber));
        assertTrue(value(image, TagFromName.ImageComments).contains("replaces result image " + first.sopInstanceUid() + " (revision 1)"),
                value(image, TagFromName.ImageComments));
        assertTrue(value(image, TagFromName.DerivationDescription).contains("replaces result image " + first.sopInstanceUid()),
                value(image, TagFromName.DerivationDescription));
        String dump = ExternalTool.run("dcmdump", "+L", revised.file().toString()).output();
        assertTrue(dump.contains(first.sopInstanceUid()), "another reader sees the predecessor named:\n" + dump);

        TriageResult retrained = new TriageResult("ABNORMAL", 0.9134, "URGENT", "cxr-densenet", "2.2", false, "high-sensitivity", 0.42,
                1, null, sources);
        TriageReportWriter.WrittenReport next = ResultImageWriter.write(attributes, retrained, deciding, dir.resolve("uid-22.dcm"), NOW);
        assertNotEquals(first.seriesInstanceUid(), next.seriesInstanceUid(), "another model version, another series");
        assertNotEquals(first.sopInstanceUid(), next.sopInstanceUid());
    }

    @Test
    void aViewerShowsTheDecidingImageAndEveryLineOfTheResultAsText() throws Exception {
        assertEquals(-1, new Font(Font.SANS_SERIF, Font.BOLD, 40).canDisplayUpTo("NOT FOR DIAGNOSTIC USE ABNORMAL 0.91 URGENT cxr-densenet"),
                "the JRE's sans-serif font has the glyphs");
        TriageResult demo = demo();
        Path png = render(write("px-demo", demo, deciding).file());
        BufferedImage shown = ImageIO.read(png.toFile());
        assertEquals(ResultImageCanvas.WIDTH, shown.getWidth());
        assertEquals(ResultImageCanvas.HEIGHT, shown.getHeight());

        // The image band is the deciding image: sampled from the canonical image independently of the writer's resizing.
        Rectangle fitted = ResultImageCanvas.imageBounds(deciding);
        assertEquals(ResultImageCanvas.HEIGHT, fitted.height, "a portrait radiograph fills the height");
        assertTrue(correlation(shown, fitted, deciding) > 0.95, "the image band shows the deciding image: " + correlation(shown, fitted, deciding));
        // The text band is text: each line a band of ink of its own, the warning and the abnormal category drawn in boxes.
        List<ResultImageCanvas.Line> lines = ResultImageCanvas.lines(demo, NOW);
        assertTrue(lines.stream().anyMatch(l -> l.text().equals("NOT FOR DIAGNOSTIC USE") && l.boxed()), lines.toString());
        assertEquals(lines.size(), inkBands(shown), "one band of ink per line: " + lines);
        assertEquals(2, boxBands(shown), "ABNORMAL and NOT FOR DIAGNOSTIC USE boxed");
        double ink = inkFraction(shown);
        assertTrue(ink > 0.03 && ink < 0.5, "text, not a blank or filled panel: " + ink);

        BufferedImage clinicalNormal = ImageIO.read(render(write("px-normal", normal(), deciding).file()).toFile());
        assertEquals(ResultImageCanvas.lines(normal(), NOW).size(), inkBands(clinicalNormal));
        assertEquals(0, boxBands(clinicalNormal), "a clinical model's normal result: nothing boxed");
        BufferedImage clinicalAbnormal = ImageIO.read(render(write("px-abnormal", abnormalUrgent(2), deciding).file()).toFile());
        assertEquals(1, boxBands(clinicalAbnormal), "a clinical model's abnormal result: only the category boxed");
        assertTrue(ResultImageCanvas.lines(abnormalUrgent(2), NOW).stream().anyMatch(l -> l.text().equals("Revision 2, replaces revision 1")));

        BufferedImage imageless = ImageIO.read(render(write("px-noimage", abnormalUrgent(1), null).file()).toFile());
        assertTrue(inkFraction(imageless) > 0.03, "the panel is drawn without an image");

        TriageResult longId = new TriageResult("ABNORMAL", 0.9134, "URGENT", "cxr-" + "densenet-".repeat(20), "2.1", false, "default",
                0.42, 1, null, sources);
        BufferedImage cut = ImageIO.read(render(write("px-longid", longId, deciding).file()).toFile());
        for (int y = 0; y < cut.getHeight(); y++) {
            for (int x = ResultImageCanvas.WIDTH - ResultImageCanvas.MARGIN + 2; x < ResultImageCanvas.WIDTH; x++) {
                assertTrue(gray(cut, x, y) <= ResultImageCanvas.PANEL_BACKGROUND + 40, "a long model id stays inside the panel at " + x + "," + y);
            }
        }

        String screenshot = System.getProperty("triage.resultImagePng");
        if (screenshot != null && !screenshot.isBlank()) {
            Path target = Path.of(screenshot).toAbsolutePath();
            Files.createDirectories(target.getParent());
            Files.copy(png, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** dcmtk renders the file as a viewer would: dcmj2pnm +on writes an 8-bit PNG (-il: not interlaced, which more image viewers read). */
    private static Path render(Path dicom) throws Exception {
        Path png = dicom.resolveSibling(dicom.getFileName().toString().replace(".dcm", ".png"));
        ExternalTool.Result result = ExternalTool.run("dcmj2pnm", "+on", "-il", dicom.toString(), png.toString());
        assertEquals(0, result.exitCode(), result.output());
        return png;
    }

    private static int gray(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }

    /** Pearson correlation of the image band with the canonical image sampled at the same places (nearest neighbour). */
    private static double correlation(BufferedImage shown, Rectangle fitted, Gray8Image source) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = 0;
        for (int y = 0; y < fitted.height; y += 3) {
            for (int x = 0; x < fitted.width; x += 3) {
                int sx = Math.min(source.width() - 1, (int) ((x + 0.5) * source.width() / fitted.width));
                int sy = Math.min(source.height() - 1, (int) ((y + 0.5) * source.height() / fitted.height));
                double a = gray(shown, fitted.x + x, fitted.y + y), b = source.pixels()[sy * source.width() + sx] & 0xff;
                sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b; n++;
            }
        }
        return (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
    }

    /** Bands of panel rows holding ink (brighter than the background), separated by blank rows. */
    private static int inkBands(BufferedImage image) {
        return inkBandExtents(image).size();
    }

    /**
     * Ink bands that are white boxes with dark letters: mostly white within their extent, where white letters on the dark panel
     * leave most of theirs dark.
     */
    private static int boxBands(BufferedImage image) {
        int boxes = 0;
        for (int[] band : inkBandExtents(image)) {
            int left = Integer.MAX_VALUE, right = -1;
            for (int y = band[0]; y < band[1]; y++) {
                for (int x = ResultImageCanvas.IMAGE_WIDTH; x < ResultImageCanvas.WIDTH; x++) {
                    if (gray(image, x, y) > ResultImageCanvas.PANEL_BACKGROUND + 40) { left = Math.min(left, x); right = Math.max(right, x); }
                }
            }
            long white = 0;
            for (int y = band[0]; y < band[1]; y++) {
                for (int x = left; x <= right; x++) if (gray(image, x, y) > 240) white++;
            }
            if ((double) white / ((long) (right - left + 1) * (band[1] - band[0])) > 0.6) boxes++;
        }
        return boxes;
    }

    /** Each ink band's first row and the row after its last. */
    private static List<int[]> inkBandExtents(BufferedImage image) {
        List<int[]> bands = new ArrayList<>();
        int top = -1;
        for (int y = 0; y <= image.getHeight(); y++) {
            boolean ink = y < image.getHeight() && rowHasInk(image, y);
            if (ink && top < 0) top = y;
            if (!ink && top >= 0) { bands.add(new int[] {top, y}); top = -1; }
        }
        return bands;
    }

    private static boolean rowHasInk(BufferedImage image, int y) {
        for (int x = ResultImageCanvas.IMAGE_WIDTH; x < ResultImageCanvas.WIDTH; x++) {
            if (gray(image, x, y) > ResultImageCanvas.PANEL_BACKGROUND + 40) return true;
        }
        return false;
    }

    private static double inkFraction(BufferedImage image) {
        long ink = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = ResultImageCanvas.IMAGE_WIDTH; x < ResultImageCanvas.WIDTH; x++) {
                if (gray(image, x, y) > ResultImageCanvas.PANEL_BACKGROUND + 40) ink++;
            }
        }
        return (double) ink / ((long) ResultImageCanvas.PANEL_WIDTH * image.getHeight());
    }

    private static AttributeList read(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        return list;
    }

    private static String value(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrNull(list, tag);
    }
}
