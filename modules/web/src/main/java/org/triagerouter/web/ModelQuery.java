package org.triagerouter.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.triagerouter.store.Database;

/** The model page's figures: the loaded model, how its image scores spread, and how many pass each operating point. */
public final class ModelQuery {
    public static final int BINS = 20;

    public record PointShare(String name, double threshold, long imagesAtOrAbove) {}

    /**
     * The AI's category against radiologists' final reads, over studies with both: counts, and the rates
     * (null while a denominator is zero). {@code agreement} is the share where they say the same.
     */
    public record Agreement(long reads, long truePositive, long falsePositive, long trueNegative, long falseNegative, Double agreement,
                            Double sensitivity, Double specificity) {
        static Agreement of(long tp, long fp, long tn, long fn) {
            long reads = tp + fp + tn + fn;
            return new Agreement(reads, tp, fp, tn, fn, ratio(tp + tn, reads), ratio(tp, tp + fn), ratio(tn, tn + fp));
        }

        private static Double ratio(long a, long b) { return b == 0 ? null : (double) a / b; }
    }

    public static final int RECENT_READS = 100;

    public record ModelPage(ModelInfo model, long images, List<Long> histogram, List<PointShare> operatingPoints, Agreement agreement,
                            Agreement recentAgreement) {}

    private final Database database;
    private final ModelInfo model;

    public ModelQuery(Database database, ModelInfo model) {
        this.database = database;
        this.model = model;
    }

    /** The histogram and agreement read every score and read of the model: computed at most every 15 s, whoever polls. */
    static final long CACHE_NANOS = 15_000_000_000L;
    private volatile ModelPage cached;
    private volatile long cachedAt;

    public ModelPage page() throws SQLException {
        ModelPage page = cached;
        if (page != null && System.nanoTime() - cachedAt < CACHE_NANOS) return page;
        page = compute();
        cached = page;
        cachedAt = System.nanoTime();
        return page;
    }

    private ModelPage compute() throws SQLException {
        List<Long> histogram = new ArrayList<>();
        for (int i = 0; i < BINS; i++) histogram.add(0L);
        long images = 0;
        List<PointShare> shares = new ArrayList<>();
        try (Connection c = database.connection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    select least(width_bucket(score, 0, 1, ?), ?) as bin, count(*) from score where model_id = ? and model_version = ? group by 1""")) {
                s.setInt(1, BINS);
                s.setInt(2, BINS);
                s.setString(3, model.id());
                s.setString(4, model.version());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        int bin = Math.max(1, rs.getInt(1)) - 1;
                        histogram.set(bin, histogram.get(bin) + rs.getLong(2));
                        images += rs.getLong(2);
                    }
                }
            }
            for (ModelInfo.OperatingPoint point : model.operatingPoints()) {
                try (PreparedStatement s = c.prepareStatement("select count(*) from score where model_id = ? and model_version = ? and score >= ?")) {
                    s.setString(1, model.id());
                    s.setString(2, model.version());
                    s.setDouble(3, point.threshold());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        shares.add(new PointShare(point.name(), point.threshold(), rs.getLong(1)));
                    }
                }
            }
            return new ModelPage(model, images, histogram, shares, agreement(c, Integer.MAX_VALUE), agreement(c, RECENT_READS));
        }
    }

    /** Over the latest {@code limit} reads; the study's latest REPORTED result of this model is the AI's call. */
    private Agreement agreement(Connection c, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                with latest as (select distinct on (study_id) study_id, category from study_result
                                 where model_id = ? and model_version = ? and status = 'REPORTED' order by study_id, revision desc),
                     reads as (select g.label, l.category from ground_truth g join latest l using (study_id)
                                order by g.recorded_at desc limit ?)
                select count(*) filter (where label = 'ABNORMAL' and category = 'ABNORMAL'),
                       count(*) filter (where label = 'NORMAL' and category = 'ABNORMAL'),
                       count(*) filter (where label = 'NORMAL' and category = 'NORMAL'),
                       count(*) filter (where label = 'ABNORMAL' and category = 'NORMAL') from reads""")) {
            s.setString(1, model.id());
            s.setString(2, model.version());
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return Agreement.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }
}
