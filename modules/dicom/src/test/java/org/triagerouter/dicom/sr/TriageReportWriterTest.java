package org.triagerouter.dicom.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;

/** The triage SR checked by two independent tools: dicom3tools' dciodvfy (IOD) and dcmtk's dsrdump (content tree). */
class TriageReportWriterTest {
    @TempDir
    static Path dir;
    static List<Path> images;
    static List<TriageResult.SourceImage> sources = new ArrayList<>();

    @BeforeAll
    static void study() throws Exception {
        images = SyntheticChestImages.writeSet(dir.resolve("study"), 2, 300, 240, 9);
        for (Path p : images) {
            InstanceHeader h = InstanceFiles.readHeader(p);
            sources.add(new TriageResult.SourceImage(h.seriesInstanceUid(), h.sopClassUid(), h.sopInstanceUid()));
        }
    }

    private static TriageResult result(int revision, TriageResult.SrReference predecessor, boolean demo) {
        return new TriageResult("ABNORMAL", 0.9134, "URGENT", "cxr-densenet", "2.1", demo, "high-sensitivity", 0.42, revision,
                predecessor, sources);
    }

    @Test
    void srPassesDciodvfyWithoutErrorsAndReadsBackInDsrdump() throws Exception {
        TriageReportWriter.WrittenReport sr = TriageReportWriter.write(images.get(0), result(1, null, false), dir.resolve("sr1.dcm"),
                LocalDateTime.of(2026, 11, 28, 10, 30, 0));
        ExternalTool.Result check = ExternalTool.run("dciodvfy", sr.file().toString());
        List<String> errors = check.output().lines().filter(l -> l.startsWith("Error")).toList();
        assertEquals(List.of(), errors, check.output());
        assertEquals("AI triage: ABNORMAL 0.91 URGENT", sr.seriesDescription());

        ExternalTool.Result dump = ExternalTool.run("dsrdump", "+Pl", sr.file().toString());
        assertEquals(0, dump.exitCode(), dump.output());
        String tree = dump.output();
        for (String expected : List.of("Comprehensive SR", "Imaging Measurement Report", "Device Observer Name", "Procedure reported",
                "Image Library", "Algorithm Name", "cxr-densenet", "Algorithm Version", "\"2.1\"", "Abnormality score",
                "0.9134", "no units", "Triage priority", "URGENT", "Finding", "Abnormal", "high-sensitivity")) {
            assertTrue(tree.contains(expected), "dsrdump lacks " + expected + ":\n" + tree);
        }
        assertEquals(2, tree.lines().filter(l -> l.contains("IMAGE:")).count(), tree);
    }

    @Test
    void sameStudyModelAndRevisionGiveTheSameUidsAndARevisionReferencesItsPredecessor() throws Exception {
        TriageReportWriter.WrittenReport first = TriageReportWriter.write(images.get(0), result(1, null, false), dir.resolve("a.dcm"),
                LocalDateTime.now());
        TriageReportWriter.WrittenReport again = TriageReportWriter.write(images.get(1), result(1, null, false), dir.resolve("b.dcm"),
                LocalDateTime.now().plusMinutes(5));
        assertEquals(first.sopInstanceUid(), again.sopInstanceUid(), "a resend is the same object");
        assertEquals(first.seriesInstanceUid(), again.seriesInstanceUid());
        assertEquals(InstanceFiles.readHeader(images.get(0)).studyInstanceUid(), first.studyInstanceUid(), "same study as the images");

        TriageReportWriter.WrittenReport revised = TriageReportWriter.write(images.get(0),
                result(2, new TriageResult.SrReference(first.seriesInstanceUid(), first.sopInstanceUid()), false), dir.resolve("c.dcm"),
                LocalDateTime.now());
        assertNotEquals(first.sopInstanceUid(), revised.sopInstanceUid());
        ExternalTool.Result check = ExternalTool.run("dciodvfy", revised.file().toString());
        assertEquals(List.of(), check.output().lines().filter(l -> l.startsWith("Error")).toList(), check.output());
        ExternalTool.Result dump = ExternalTool.run("dsrdump", "+Pa", revised.file().toString());
        assertTrue(dump.output().contains(first.sopInstanceUid()) || ExternalTool.run("dcmdump", revised.file().toString()).output()
                .contains(first.sopInstanceUid()), "predecessor referenced");
    }

    @Test
    void keyObjectSelectionPassesDciodvfyAndReferencesTheKeyImages() throws Exception {
        TriageReportWriter.WrittenReport kos = KeyObjectWriter.write(images.get(0), result(1, null, false), List.of(sources.get(0)),
                dir.resolve("kos.dcm"), LocalDateTime.now());
        ExternalTool.Result check = ExternalTool.run("dciodvfy", kos.file().toString());
        assertEquals(List.of(), check.output().lines().filter(l -> l.startsWith("Error")).toList(), check.output());
        String tree = ExternalTool.run("dsrdump", "+Pl", kos.file().toString()).output();
        assertTrue(tree.contains("Key Object Selection Document") && tree.contains("Of Interest"), tree);
        assertEquals(1, tree.lines().filter(l -> l.contains("IMAGE:")).count(), tree);
        assertEquals(kos.sopInstanceUid(), KeyObjectWriter.write(images.get(1), result(1, null, false), List.of(sources.get(0)),
                dir.resolve("kos2.dcm"), LocalDateTime.now()).sopInstanceUid(), "a resend is the same object");
    }

    @Test
    void aDemoModelResultSaysSo() throws Exception {
        TriageReportWriter.WrittenReport sr = TriageReportWriter.write(images.get(0), result(1, null, true), dir.resolve("demo.dcm"),
                LocalDateTime.now());
        assertEquals("AI triage (DEMO MODEL): ABNORMAL 0.91 URGENT", sr.seriesDescription());
        String tree = ExternalTool.run("dsrdump", "+Pl", sr.file().toString()).output();
        assertTrue(tree.contains("demo model"), tree);
        assertTrue(tree.contains("must not be used clinically"), tree);
    }
}
