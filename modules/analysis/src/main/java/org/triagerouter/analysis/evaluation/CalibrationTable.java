package org.triagerouter.analysis.evaluation;

import java.util.ArrayList;
import java.util.List;

/** Equal-width score bins over [0, 1], every bin listed (empty ones with count 0) so tables line up across models. */
public record CalibrationTable(List<CalibrationBin> bins) {

    public static final int DEFAULT_BINS = 10;

    public CalibrationTable {
        bins = List.copyOf(bins);
    }

    /** @throws IllegalArgumentException when a score lies outside [0, 1] (it is then not a probability) */
    public static CalibrationTable of(List<LabelledScore> scores, int binCount) {
        if (binCount < 1) throw new IllegalArgumentException("at least one calibration bin is required, not " + binCount);
        int[] count = new int[binCount];
        int[] abnormal = new int[binCount];
        double[] scoreSum = new double[binCount];
        for (LabelledScore s : scores) {
            if (!(s.score() >= 0 && s.score() <= 1)) {
                throw new IllegalArgumentException("study " + s.id() + ": score " + s.score() + " is not a probability in [0, 1]");
            }
            int bin = Math.min((int) (s.score() * binCount), binCount - 1);
            count[bin]++;
            scoreSum[bin] += s.score();
            if (s.abnormal()) abnormal[bin]++;
        }
        List<CalibrationBin> bins = new ArrayList<>(binCount);
        for (int b = 0; b < binCount; b++) {
            bins.add(new CalibrationBin((double) b / binCount, (double) (b + 1) / binCount, count[b],
                    count[b] == 0 ? Double.NaN : scoreSum[b] / count[b],
                    count[b] == 0 ? Double.NaN : (double) abnormal[b] / count[b]));
        }
        return new CalibrationTable(bins);
    }
}
