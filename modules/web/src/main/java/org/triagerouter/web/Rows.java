package org.triagerouter.web;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** Timestamps as the API shows them: ISO-8601 instants (nullable numbers need no helper: {@code rs.getObject(column, Double.class)}). */
final class Rows {
    private Rows() {}

    static String instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toString();
    }
}
