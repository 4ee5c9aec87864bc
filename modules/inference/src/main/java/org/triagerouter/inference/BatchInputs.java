package org.triagerouter.inference;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.triagerouter.dicom.pixels.ModelGeometry;

/**
 * What the infer stage reads for a batch, in one query: per image, its model-ready input of the model's geometry as
 * the prepare stage stored it, or, for an image prepared without one (before the model was configured, or by a node
 * configured with another model), its canonical PNG to derive it from. Never both: the PNG is not even read when the
 * input is there.
 */
public final class BatchInputs {
    private BatchInputs() {}

    /** One image: exactly one of {@code modelInput} and {@code png} is set. */
    public record Image(long instanceId, byte[] modelInput, byte[] png) {
        public boolean stored() { return modelInput != null; }
    }

    /** The images of the given SOP Instance UIDs that have a canonical image, by UID. */
    public static Map<String, Image> read(Connection c, Collection<String> sopInstanceUids, ModelGeometry geometry) throws SQLException {
        Map<String, Image> bySop = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("""
                select i.sop_instance_uid, i.id, mi.pixels, case when mi.pixels is null then ci.png end
                  from instance i join canonical_image ci on ci.instance_id = i.id
                  left join model_input mi on mi.instance_id = i.id and mi.geometry = ?
                 where i.sop_instance_uid = any (?)""")) {
            Array uids = c.createArrayOf("text", sopInstanceUids.toArray());
            s.setString(1, geometry.key());
            s.setArray(2, uids);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) bySop.put(rs.getString(1), new Image(rs.getLong(2), rs.getBytes(3), rs.getBytes(4)));
            }
        }
        return bySop;
    }
}
