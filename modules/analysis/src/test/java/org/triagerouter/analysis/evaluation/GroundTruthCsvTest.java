package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.analysis.CsvFormatException;
import org.triagerouter.analysis.TruthLabel;

class GroundTruthCsvTest {
    @TempDir Path dir;

    @Test
    void readsLabelsByAccessionNumber() throws Exception {
        Path file = Files.writeString(dir.resolve("labels.csv"), "Accession,Label,reader\nA1,abnormal,x\nA2,0,y\nA1,ABNORMAL,z\n");
        GroundTruthCsv.GroundTruth truth = GroundTruthCsv.read(file);
        assertEquals("accession", truth.keyColumn());
        assertEquals(Map.of("A1", TruthLabel.ABNORMAL, "A2", TruthLabel.NORMAL), truth.labels());
    }

    @Test
    void contradictoryLabelsForOneStudyAreAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("labels.csv"), "study_uid,label\n1.2.3,1\n1.2.4,0\n1.2.3,normal\n");
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> GroundTruthCsv.read(file));
        assertEquals(file + ": line 4, column label: study_uid 1.2.3 is labelled abnormal on line 2 and normal here", e.getMessage());
    }

    @Test
    void aFileWithoutAKeyColumnSaysWhichColumnsItExpects() throws Exception {
        Path file = Files.writeString(dir.resolve("labels.csv"), "patient,label\np,1\n");
        assertEquals(file + ": line 1: no key column: expected one of study_uid, study, accession, id (the header has patient, label)",
                assertThrows(CsvFormatException.class, () -> GroundTruthCsv.read(file)).getMessage());
    }
}
