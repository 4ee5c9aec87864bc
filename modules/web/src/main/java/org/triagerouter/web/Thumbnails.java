package org.triagerouter.web;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.triagerouter.store.Database;

/** A small PNG of the study's highest-scoring canonical image (the one that decided it), for the worklist. */
public final class Thumbnails {
    public static final int HEIGHT = 96;
    private final Database database;

    public Thumbnails(Database database) { this.database = database; }

    public Optional<byte[]> forStudy(String studyInstanceUid) throws SQLException, IOException {
        byte[] png;
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select ci.png from study s join instance i on i.study_id = s.id join canonical_image ci on ci.instance_id = i.id
                       left join score sc on sc.instance_id = i.id
                      where s.study_instance_uid = ? order by sc.score desc nulls last, i.id limit 1""")) {
            s.setString(1, studyInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                png = rs.getBytes(1);
            }
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null) return Optional.empty();
        int width = Math.max(1, Math.round(image.getWidth() * (float) HEIGHT / image.getHeight()));
        BufferedImage small = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image.getScaledInstance(width, HEIGHT, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(small, "png", out);
        return Optional.of(out.toByteArray());
    }
}
