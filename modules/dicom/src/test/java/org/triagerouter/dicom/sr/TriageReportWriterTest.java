package org.triagerouter.dicom.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.RouterVersion;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.SrValidator;

/**
 * The triage SR checked by independent tools: dicom3tools' dciodvfy (IOD), dcmtk's dsrdump (content tree) and PixelMed's
 * DicomSRValidator, the validator IHE uses (IOD and TID 1500 template).
 */
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

    private static TriageResult normal(String modelVersion) {
        return new TriageResult("NORMAL", 0.1234, "ROUTINE", "cxr-densenet", modelVersion, false, "high-sensitivity", 0.42, 1, null, sources);
    }

    @Test
    void pixelMedsSrValidatorFindsNoErrorInANormalAnAbnormalARevisedOrADemoModelSr() throws Exception {
        LocalDateTime now = LocalDateTime.of(2026, 11, 28, 10, 30, 0);
        TriageReportWriter.WrittenReport abnormal = TriageReportWriter.write(images.get(0), result(1, null, false), dir.resolve("v-abnormal.dcm"), now);
        List<TriageReportWriter.WrittenReport> srs = List.of(
                TriageReportWriter.write(images.get(0), normal("2.1"), dir.resolve("v-normal.dcm"), now),
                abnormal,
                TriageReportWriter.write(images.get(0), result(2, new TriageResult.SrReference(abnormal.seriesInstanceUid(),
                        abnormal.sopInstanceUid()), false), dir.resolve("v-revised.dcm"), now),
                // A demo model with no threshold: no operating point threshold, and the comment that the result means nothing.
                TriageReportWriter.write(images.get(0), new TriageResult("ABNORMAL", 0.91, "HIGH", "demo", "0.1", true, "default",
                        Double.NaN, 1, null, sources), dir.resolve("v-demo.dcm"), now));
        for (TriageReportWriter.WrittenReport sr : srs) {
            SrValidator.Report report = SrValidator.validate(sr.file());
            assertEquals("TID_1500", report.rootTemplate(), report.output());
            assertEquals(List.of(), report.errors(), sr.seriesDescription() + ":\n" + report.output());
            // Not required, but none today: the private items sit where TID 1500 takes any concept (docs/sr.md).
            assertEquals(List.of(), report.warnings(), sr.seriesDescription() + ":\n" + report.output());
        }
        String demoTree = ExternalTool.run("dsrdump", "+Pl", srs.get(3).file().toString()).output();
        assertTrue(demoTree.contains("must not be used clinically"), demoTree);
        assertTrue(ExternalTool.run("dcmdump", srs.get(2).file().toString()).output().contains(abnormal.sopInstanceUid()), "predecessor referenced");
    }

    @Test
    void theAlgorithmIsContributingEquipmentWhoseDeviceUidChangesWithTheModelVersion() throws Exception {
        LocalDateTime now = LocalDateTime.of(2026, 11, 28, 10, 30, 0);
        AttributeList first = read(TriageReportWriter.write(images.get(0), normal("2.1"), dir.resolve("ce-21.dcm"), now).file());
        AttributeList resent = read(TriageReportWriter.write(images.get(1), normal("2.1"), dir.resolve("ce-21b.dcm"), now.plusHours(1)).file());
        TriageReportWriter.WrittenReport next = TriageReportWriter.write(images.get(0), normal("2.2"), dir.resolve("ce-22.dcm"), now);
        AttributeList retrained = read(next.file());

        SequenceAttribute equipment = (SequenceAttribute) first.get(TagFromName.ContributingEquipmentSequence);
        assertEquals(1, equipment.getNumberOfItems());
        AttributeList item = equipment.getItem(0).getAttributeList();
        SequenceAttribute purpose = (SequenceAttribute) item.get(TagFromName.PurposeOfReferenceCodeSequence);
        assertEquals(1, purpose.getNumberOfItems());
        AttributeList code = purpose.getItem(0).getAttributeList();
        assertEquals(List.of("Newcode1", "99IHE", "Processing Algorithm"), List.of(value(code, TagFromName.CodeValue),
                value(code, TagFromName.CodingSchemeDesignator), value(code, TagFromName.CodeMeaning)));
        assertEquals("Triage Router", value(item, TagFromName.Manufacturer));
        assertEquals("cxr-densenet", value(item, TagFromName.ManufacturerModelName));
        assertEquals(List.of("2.1", "Triage Router " + RouterVersion.VERSION),
                List.of(Attribute.getStringValues(item, TagFromName.SoftwareVersions)));
        assertEquals("20261128103000", value(item, new AttributeTag(0x0018, 0xA002)), "Contribution DateTime");
        String device = value(item, TagFromName.DeviceUID);
        assertTrue(Uids.isValid(device), device);
        assertEquals(TriageReportWriter.algorithmDeviceUid("cxr-densenet", "2.1"), device);
        assertEquals(device, deviceUid(resent), "the same model version is the same device");
        assertNotEquals(device, deviceUid(retrained), "a new model version is another device");

        // As a reader that is not PixelMed sees it.
        String dump = ExternalTool.run("dcmdump", next.file().toString()).output();
        assertTrue(dump.contains("ContributingEquipmentSequence") && dump.contains("[Newcode1]") && dump.contains("[99IHE]")
                && dump.contains("[Processing Algorithm]") && dump.contains("[2.2\\Triage Router " + RouterVersion.VERSION + "]"), dump);
    }

    private static AttributeList read(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        return list;
    }

    private static String value(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrNull(list, tag);
    }

    private static String deviceUid(AttributeList sr) {
        return value(((SequenceAttribute) sr.get(TagFromName.ContributingEquipmentSequence)).getItem(0).getAttributeList(), TagFromName.DeviceUID);
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
                "(363679005,SCT,\"Imaging procedure\")", "Procedure Code", "(399208008,SCT,\"Plain chest X-ray\")",
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
    void keyObjectSelectionPassesDciodvfyAndPixelMedsValidatorAndReferencesTheKeyImages() throws Exception {
        TriageReportWriter.WrittenReport kos = KeyObjectWriter.write(images.get(0), result(1, null, false), List.of(sources.get(0)),
                dir.resolve("kos.dcm"), LocalDateTime.now());
        ExternalTool.Result check = ExternalTool.run("dciodvfy", kos.file().toString());
        assertEquals(List.of(), check.output().lines().filter(l -> l.startsWith("Error")).toList(), check.output());
        SrValidator.Report report = SrValidator.validate(kos.file());
        assertEquals("TID_2010", report.rootTemplate(), report.output());
        assertEquals(List.of(), report.errors(), report.output());
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
