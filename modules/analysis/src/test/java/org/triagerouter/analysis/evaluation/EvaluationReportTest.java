package org.triagerouter.analysis.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {
    @TempDir Path dir;

    Evaluation evaluation() {
        EvaluationSettings settings = new EvaluationSettings(List.of(new NamedThreshold("sensitive", 0.3), new NamedThreshold("strict", 0.95)),
                List.of(0.8), 200, 0.95, 1, 4);
        return Evaluation.of(ThresholdForSensitivityTest.SCORES, settings);
    }

    @Test
    void tableShowsAucOperatingPointsTargetsAndCalibration() {
        String table = new EvaluationReport(evaluation()).table();
        // AUC: 0.9, 0.8, 0.7 beat all 4 normal (12); 0.6 beats 0.5, 0.2, 0.1 (3); 0.3 beats 0.2, 0.1 (2): 17 / 20
        assertTrue(table.startsWith("AUC 0.850 (95% CI "), table);
        assertTrue(table.contains("on 5 abnormal and 4 normal studies"), table);
        assertTrue(table.contains("sensitive           0.3000   5   2   2   0        1.000        0.500  0.714  1.000\n"), table);
        assertTrue(table.contains("strict              0.9500   0   0   4   5        0.000        1.000    n/a  0.444\n"), table);
        assertTrue(table.contains("0.80                   0.6000   4   1   3   1        0.800        0.750  0.800  0.750\n"), table);
        // [0.5, 0.75): 0.7, 0.6 abnormal and 0.65, 0.5 normal; [0.75, 1]: 0.9, 0.8 abnormal
        assertTrue(table.contains("0.50–0.75        4       0.612              0.500\n0.75–1.00        2       0.850              1.000\n"), table);
    }

    @Test
    void markdownHoldsTheNumbersAndTheRocCurveIsAPng() throws Exception {
        Path md = dir.resolve("evaluation.md");
        Path png = dir.resolve("roc.png");
        new EvaluationReport(evaluation()).writeMarkdown(md, png);
        String markdown = Files.readString(md);
        assertTrue(markdown.contains("| sensitive | 0.3000 | 5 | 2 | 2 | 0 | 1.000 | 0.500 | 0.714 | 1.000 |"), markdown);
        assertTrue(markdown.contains("| strict | 0.9500 | 0 | 0 | 4 | 5 | 0.000 | 1.000 | n/a | 0.444 |"), markdown);
        assertTrue(markdown.contains("![ROC curve](roc.png)"), markdown);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(700, image.getWidth());
        assertEquals(700, image.getHeight());
    }
}
