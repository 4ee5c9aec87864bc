package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.analysis.CsvFormatException;

class ArrivalCsvTest {
    @TempDir Path dir;

    Path csv(String text) throws Exception {
        return Files.writeString(dir.resolve("arrivals.csv"), text);
    }

    @Test
    void readsIsoTimesLabelsScoresAndIdsAsSecondsFromTheEarliestArrival() throws Exception {
        RecordedArrivals arrivals = ArrivalCsv.read(csv("""
                id,arrival,label,score,modality
                s2,2024-03-01T08:10:00Z,NORMAL,0.12,CR
                s1,2024-03-01T09:00:00+01:00,abnormal,0.91,DX
                "s,3",2024-03-01 08:30:30,1,,CR
                """));
        // 09:00+01:00 is 08:00Z, the earliest; the local time 08:30:30 is read as UTC.
        assertEquals(List.of(new StudyArrival("s1", 0, true, 0.91), new StudyArrival("s2", 600, false, 0.12),
                new StudyArrival("s,3", 1830, true, null)), arrivals.studies());
        assertEquals("arrivals.csv", arrivals.source());
    }

    @Test
    void readsSecondsFromTheStartAndNamesStudiesByLineWithoutAnIdColumn() throws Exception {
        RecordedArrivals arrivals = ArrivalCsv.read(csv("arrival,label\n# a comment\n0,0\n\n90.5,1\n"));
        assertEquals(List.of(new StudyArrival("line 3", 0, false, null), new StudyArrival("line 5", 90.5, true, null)), arrivals.studies());
        assertNull(arrivals.studies().get(0).score());
    }

    @Test
    void aBadLabelIsReportedWithItsLineAndColumn() throws Exception {
        Path file = csv("arrival,label\n0,normal\n60,maybe\n");
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> ArrivalCsv.read(file));
        assertEquals(3, e.line);
        assertEquals("label", e.column);
        assertEquals(file + ": line 3, column label: label 'maybe' is not one of normal, abnormal, 0, 1", e.getMessage());
    }

    /** The error message for a file with this text, without the file name that starts it. */
    String errorFor(String text) throws Exception {
        Path file = csv(text);
        String message = assertThrows(CsvFormatException.class, () -> ArrivalCsv.read(file)).getMessage();
        return message.substring((file + ": ").length());
    }

    @Test
    void otherMistakesNameTheirLineAndColumnToo() throws Exception {
        assertEquals("line 2, column score: score 1.5 is outside [0, 1]", errorFor("arrival,label,score\n0,1,1.5\n"));
        assertEquals("line 3, column arrival: '2024-03-01T08:00:00Z' mixes date-times with seconds used on earlier lines",
                errorFor("arrival,label\n0,1\n2024-03-01T08:00:00Z,0\n"));
        assertEquals("line 2, column arrival: 'yesterday' is neither seconds from the start nor an ISO-8601 date-time (e.g. 2024-03-01T08:15:00Z)",
                errorFor("arrival,label\nyesterday,1\n"));
        assertEquals("line 1, column label: missing column (the header has arrival, score)", errorFor("arrival,score\n0,0.5\n"));
        assertEquals("line 2: has 3 fields, the header has 2", errorFor("arrival,label\n0,1,2\n"));
        assertEquals("line 1: no studies after the header", errorFor("arrival,label\n"));
    }

    @Test
    void recordedScoresDriveTheScoreThresholdFlagger() throws Exception {
        RecordedArrivals arrivals = ArrivalCsv.read(csv("arrival,label,score\n0,1,0.9\n60,0,0.2\n120,0,0.6\n"));
        SimulationSettings settings = new SimulationSettings(arrivals, new ScoreThresholdFlagger(0.5),
                ReadingTimes.same(new ReadingTimeDistribution.Fixed(600)), 1, List.of(new WorklistPolicy.Fifo()), 1, 1);
        List<Boolean> flags = ReadingRoomSimulation.studiesOfReplication(settings, 0).stream().map(SimulatedStudy::flagged).toList();
        assertEquals(List.of(true, false, true), flags);
    }
}
