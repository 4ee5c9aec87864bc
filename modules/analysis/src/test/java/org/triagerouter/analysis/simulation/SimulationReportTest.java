package org.triagerouter.analysis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-worked FIFO room of {@link ReadingRoomTest}, run through the whole simulation and its report. */
class SimulationReportTest {
    @TempDir Path dir;

    /** Five normal studies 10 min apart, 15-min reads, one radiologist: turnarounds 15, 20, 25, 30, 35 min. */
    static SimulationResult handWorkedRoom() {
        List<StudyArrival> arrivals = new ArrayList<>();
        for (int k = 0; k < 5; k++) arrivals.add(new StudyArrival("s" + k, 600 * k, false, 0.1));
        arrivals.add(new StudyArrival("a", 6000, true, 0.9)); // alone in the room at 100 min: turnaround 15
        return ReadingRoomSimulation.run(new SimulationSettings(new RecordedArrivals(arrivals, "hand-made"), new ScoreThresholdFlagger(0.5),
                ReadingTimes.same(new ReadingTimeDistribution.Fixed(900)), 1,
                List.of(new WorklistPolicy.Fifo(), new WorklistPolicy.Prioritised()), 1, 1));
    }

    @Test
    void statisticsOfTheHandWorkedRoom() {
        TurnaroundStatistics normal = handWorkedRoom().summary().baseline().normal();
        // mean (15+20+25+30+35)/5 = 25; median 25; p95 at position 1 + 0.95·4 = 4.8: 30 + 0.8·(35 − 30) = 34
        assertEquals(new TurnaroundStatistics(5, 25 * 60, 25 * 60, 34 * 60, 35 * 60), normal);
    }

    @Test
    void tableAndMarkdownShowTheNumbersAndTheChartIsAPng() throws Exception {
        SimulationReport report = new SimulationReport(handWorkedRoom());
        String table = report.table();
        assertTrue(table.contains("normal    FIFO                  5  25.0       —    25.0         —  34.0      —  35.0\n"), table);
        assertTrue(table.contains("abnormal  AI-prioritised        1  15.0    0.0%    15.0      0.0%  15.0   0.0%  15.0\n"), table);

        Path md = dir.resolve("report/simulation.md");
        Path png = dir.resolve("report/simulation.png");
        report.writeMarkdown(md, png);
        String markdown = Files.readString(md);
        assertTrue(markdown.contains("| normal | FIFO | 5 | 25.0 | — | 25.0 | — | 34.0 | — | 35.0 |"), markdown);
        assertTrue(markdown.contains("- Arrivals: replayed from hand-made: 6 studies over 0.1 days, 16.7% abnormal"), markdown);
        assertTrue(markdown.contains("![Turnaround by worklist policy](simulation.png)"), markdown);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(540, image.getHeight());
    }

    @Test
    void anOverloadedRoomIsFlaggedInTheReport() {
        List<StudyArrival> arrivals = List.of(new StudyArrival("a", 0, false, null), new StudyArrival("b", 60, false, null));
        SimulationResult result = ReadingRoomSimulation.run(new SimulationSettings(new RecordedArrivals(arrivals, "two"),
                new OperatingPointFlagger(1, 1), ReadingTimes.same(new ReadingTimeDistribution.Fixed(600)), 1,
                List.of(new WorklistPolicy.Fifo()), 1, 1));
        assertEquals(20, result.offeredLoad(), 1e-9); // 1200 s of reading in the 60 s between the arrivals
        assertTrue(new SimulationReport(result).markdown(null).contains("**Warning:** the offered load is 20.00"));
    }
}
