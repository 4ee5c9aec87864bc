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

    public record ModelPage(ModelInfo model, long images, List<Long> histogram, List<PointShare> operatingPoints) {}

    private final Database database;
    private final ModelInfo model;

    public ModelQuery(Database database, ModelInfo model) {
        this.database = database;
        this.model = model;
    }

    public ModelPage page() throws SQLException {
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
        }
        return new ModelPage(model, images, histogram, shares);
    }
}
