package org.triagerouter.analysis.simulation;

import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/** How long a radiologist takes to read and report one study, in seconds. */
public sealed interface ReadingTimeDistribution {

    /** Draws reading times from {@code random}; made once per replication, then called once per study. */
    DoubleSupplier sampler(RandomGenerator random);

    double meanSeconds();

    /** One line for reports, in minutes. */
    String description();

    /** Every reading takes exactly this long. */
    record Fixed(double seconds) implements ReadingTimeDistribution {
        public Fixed {
            if (!(seconds > 0) || Double.isInfinite(seconds)) throw new IllegalArgumentException("reading time must be > 0 seconds, not " + seconds);
        }

        @Override public DoubleSupplier sampler(RandomGenerator random) { return () -> seconds; }
        @Override public double meanSeconds() { return seconds; }
        @Override public String description() { return String.format(Locale.ROOT, "fixed %.1f min", seconds / 60); }
    }

    /** Memoryless reading times: many short reads, a few long ones. */
    record Exponential(double meanSeconds) implements ReadingTimeDistribution {
        public Exponential {
            if (!(meanSeconds > 0) || Double.isInfinite(meanSeconds)) throw new IllegalArgumentException("mean reading time must be > 0 seconds, not " + meanSeconds);
        }

        @Override public DoubleSupplier sampler(RandomGenerator random) { return new ExponentialDistribution(random, meanSeconds)::sample; }
        @Override public String description() { return String.format(Locale.ROOT, "exponential, mean %.1f min", meanSeconds / 60); }
    }

    /**
     * Right-skewed reading times given by their mean and standard deviation (what a reading-time audit
     * reports); converted to the log-scale parameters σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
     */
    record LogNormal(double meanSeconds, double sdSeconds) implements ReadingTimeDistribution {
        public LogNormal {
            if (!(meanSeconds > 0) || Double.isInfinite(meanSeconds)) throw new IllegalArgumentException("mean reading time must be > 0 seconds, not " + meanSeconds);
            if (!(sdSeconds > 0) || Double.isInfinite(sdSeconds)) throw new IllegalArgumentException("reading time sd must be > 0 seconds, not " + sdSeconds);
        }

        public double sigma() { return Math.sqrt(Math.log1p((sdSeconds * sdSeconds) / (meanSeconds * meanSeconds))); }
        public double mu() { return Math.log(meanSeconds) - sigma() * sigma() / 2; }

        @Override public DoubleSupplier sampler(RandomGenerator random) {
            return new LogNormalDistribution(random, mu(), sigma(), LogNormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY)::sample;
        }
        @Override public String description() { return String.format(Locale.ROOT, "lognormal, mean %.1f min, sd %.1f min", meanSeconds / 60, sdSeconds / 60); }
    }

    /**
     * Parses {@code fixed:SECONDS}, {@code exponential:MEAN} or {@code lognormal:MEAN,SD} (all in seconds),
     * e.g. from a command-line option.
     */
    public static ReadingTimeDistribution parse(String text) {
        String[] kindAndValues = text.strip().split(":", 2);
        if (kindAndValues.length != 2) throw new IllegalArgumentException("reading time '" + text + "': expected KIND:SECONDS, e.g. lognormal:300,150");
        String[] values = kindAndValues[1].split(",");
        double[] numbers = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            try {
                numbers[i] = Double.parseDouble(values[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("reading time '" + text + "': '" + values[i].strip() + "' is not a number of seconds");
            }
        }
        String kind = kindAndValues[0].strip().toLowerCase(Locale.ROOT);
        int expected = kind.equals("lognormal") ? 2 : 1;
        if (numbers.length != expected && (kind.equals("fixed") || kind.equals("exponential") || kind.equals("lognormal"))) {
            throw new IllegalArgumentException("reading time '" + text + "': " + kind + " takes " + expected + " number(s) of seconds");
        }
        return switch (kind) {
            case "fixed" -> new Fixed(numbers[0]);
            case "exponential" -> new Exponential(numbers[0]);
            case "lognormal" -> new LogNormal(numbers[0], numbers[1]);
            default -> throw new IllegalArgumentException("reading time '" + text + "': kind must be fixed, exponential or lognormal");
        };
    }
}
