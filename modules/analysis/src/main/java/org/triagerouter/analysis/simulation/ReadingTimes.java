package org.triagerouter.analysis.simulation;

/** Reading-time distributions for normal and for abnormal studies (abnormal ones usually take longer to report). */
public record ReadingTimes(ReadingTimeDistribution normal, ReadingTimeDistribution abnormal) {

    public ReadingTimes {
        if (normal == null || abnormal == null) throw new IllegalArgumentException("both reading-time distributions are required");
    }

    /** One distribution for every study. */
    public static ReadingTimes same(ReadingTimeDistribution distribution) {
        return new ReadingTimes(distribution, distribution);
    }

    public String description() {
        return normal.equals(abnormal) ? normal.description()
                : "normal: " + normal.description() + "; abnormal: " + abnormal.description();
    }
}
