package org.triagerouter.analysis.simulation;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a day's studies spread over its 24 hours: relative weights, hour 0 = 00:00–01:00. Only the ratios
 * matter, so weights may equally be counts per hour copied from a worklist export.
 */
public record DailyProfile(List<Double> hourlyWeights) {

    public DailyProfile {
        hourlyWeights = List.copyOf(hourlyWeights);
        if (hourlyWeights.size() != 24) {
            throw new IllegalArgumentException("a daily profile needs 24 hourly weights, got " + hourlyWeights.size());
        }
        for (double w : hourlyWeights) {
            if (!(w >= 0) || Double.isInfinite(w)) throw new IllegalArgumentException("hourly weights must be finite and >= 0, got " + w);
        }
        if (hourlyWeights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            throw new IllegalArgumentException("at least one hourly weight must be > 0");
        }
    }

    /** The same rate all day. */
    public static DailyProfile flat() {
        double[] weights = new double[24];
        Arrays.fill(weights, 1.0);
        return of(weights);
    }

    /**
     * A typical hospital radiography day: quiet at night, rising from 07:00, busiest 09:00–12:00 and
     * 14:00–16:00 (inpatient rounds and outpatient clinics), falling in the evening.
     */
    public static DailyProfile hospitalDay() {
        return of(1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 6, 7, 8, 8, 6, 4, 3, 2, 2, 1.5, 1, 1);
    }

    public static DailyProfile of(double... hourlyWeights) {
        return new DailyProfile(Arrays.stream(hourlyWeights).boxed().toList());
    }

    /** Parses 24 comma-separated weights, e.g. from a command-line option. */
    public static DailyProfile parse(String commaSeparated) {
        String[] parts = commaSeparated.split(",");
        double[] weights = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                weights[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("daily profile: weight " + (i + 1) + " '" + parts[i].strip() + "' is not a number");
            }
        }
        return of(weights);
    }

    /** The fraction of a day's studies that arrive in {@code hour} (0–23). */
    public double shareOfDay(int hour) {
        return hourlyWeights.get(hour) / hourlyWeights.stream().mapToDouble(Double::doubleValue).sum();
    }

    public boolean isFlat() {
        return hourlyWeights.stream().distinct().count() == 1;
    }

    @Override
    public String toString() {
        return hourlyWeights.stream().map(w -> w == Math.rint(w) ? String.valueOf(w.longValue()) : w.toString())
                .collect(Collectors.joining(","));
    }
}
