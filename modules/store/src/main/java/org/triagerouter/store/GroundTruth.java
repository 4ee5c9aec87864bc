package org.triagerouter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Radiologists' final reads: recorded per study (the latest read wins), found by Study Instance UID or accession number. */
public final class GroundTruth {
    /** What a RIS or a script posts; exactly one of the two identifiers. */
    public record FinalRead(String studyInstanceUid, String accessionNumber, String label, String reader) {}

    public record Recorded(String studyInstanceUid, String label) {}

    /** The identifier matches no study, or an accession number matches several. */
    public static final class UnknownStudyException extends Exception {
        public final boolean ambiguous;

        UnknownStudyException(String message, boolean ambiguous) {
            super(message);
            this.ambiguous = ambiguous;
        }
    }

    private final Database database;

    public GroundTruth(Database database) { this.database = database; }

    public Recorded record(FinalRead read, String source) throws SQLException, UnknownStudyException {
        boolean byUid = read.studyInstanceUid() != null && !read.studyInstanceUid().isBlank();
        boolean byAccession = read.accessionNumber() != null && !read.accessionNumber().isBlank();
        if (byUid == byAccession) throw new IllegalArgumentException("give exactly one of studyInstanceUid and accessionNumber");
        String label = label(read.label());
        try (Connection c = database.connection()) {
            List<long[]> ids = new ArrayList<>();
            List<String> uids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(byUid ? "select id, study_instance_uid from study where study_instance_uid = ?"
                    : "select id, study_instance_uid from study where accession_number = ?")) {
                s.setString(1, byUid ? read.studyInstanceUid() : read.accessionNumber());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new long[] {rs.getLong(1)});
                        uids.add(rs.getString(2));
                    }
                }
            }
            String what = byUid ? "study " + read.studyInstanceUid() : "accession number " + read.accessionNumber();
            if (ids.isEmpty()) throw new UnknownStudyException("no " + what + " has reached the router", false);
            if (ids.size() > 1) throw new UnknownStudyException(what + " matches " + ids.size() + " studies; post the Study Instance UID", true);
            try (PreparedStatement s = c.prepareStatement("""
                    insert into ground_truth (study_id, label, reader, source) values (?, ?, ?, ?)
                    on conflict (study_id) do update set label = excluded.label, reader = excluded.reader, source = excluded.source,
                        recorded_at = now()""")) {
                s.setLong(1, ids.get(0)[0]);
                s.setString(2, label);
                s.setString(3, read.reader());
                s.setString(4, source);
                s.executeUpdate();
            }
            return new Recorded(uids.get(0), label);
        }
    }

    /** NORMAL or ABNORMAL, as words or 0/1, any case. */
    public static String label(String value) {
        if (value == null) throw new IllegalArgumentException("label is required: NORMAL or ABNORMAL");
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "NORMAL", "0" -> "NORMAL";
            case "ABNORMAL", "1" -> "ABNORMAL";
            default -> throw new IllegalArgumentException("label '" + value + "' is not NORMAL or ABNORMAL");
        };
    }
}
