package org.triagerouter.dicom.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.fixture.SyntheticChestImages;

class StudyAttributesTest {
    @TempDir
    Path work;

    @Test
    void theStoredAttributesReadBackAsPlainPatientAndStudy() throws Exception {
        List<Path> files = SyntheticChestImages.writeSet(work, 2, 64, 64, 7);
        InstanceHeader header = InstanceFiles.readHeader(files.get(0));
        StudyAttributes.Patient p = StudyAttributes.patient(StudyAttributes.read(files.get(0)));
        assertEquals("SYNTHETIC^SYN000007", p.name());
        assertEquals("SYN000007", p.id());
        assertEquals("19600101", p.birthDate());
        assertEquals("M", p.sex());
        assertEquals("ACC000007", p.accessionNumber());
        assertEquals(header.studyInstanceUid(), p.studyInstanceUid());
        assertEquals("CHEST 2 VIEWS", p.studyDescription());
        assertEquals("20261128", p.studyDate());
        assertEquals("101500", p.studyTime());
        assertEquals(p, StudyAttributes.patientOfPart10(Files.readAllBytes(files.get(0))), "a Part 10 object gives the same");
    }
}
