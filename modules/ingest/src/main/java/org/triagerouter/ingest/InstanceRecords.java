package org.triagerouter.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.net.AssociationInfo;
import org.triagerouter.dicom.net.ReceivedInstance;

/** The ingest stage's SQL: study, series and instance rows, and the association log. */
final class InstanceRecords {
    private InstanceRecords() {}

    /** Serialises concurrent receipts of the same SOP Instance UID until the transaction ends. */
    static void lockSopInstance(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, sopInstanceUid);
            lock.execute();
        }
    }

    static boolean exists(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select 1 from instance where sop_instance_uid = ?")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Where an already stored instance's file is (or was). */
    record StoredFile(String node, Path path, boolean deleted) {}

    static StoredFile storedFile(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select node, file_path, file_deleted_at is not null from instance where sop_instance_uid = ?")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new StoredFile(rs.getString(1), Path.of(rs.getString(2)), rs.getBoolean(3)) : null;
            }
        }
    }

    /** Which of these SOP Instance UIDs have a row, on any node. */
    static Set<String> recorded(Connection c, java.util.Collection<String> sopInstanceUids) throws SQLException {
        Set<String> found = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("select sop_instance_uid from instance where sop_instance_uid = any (?)")) {
            s.setArray(1, c.createArrayOf("text", sopInstanceUids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) found.add(rs.getString(1));
            }
        }
        return found;
    }

    /** Inserts the instance with its study and series (created or updated as needed); returns the instance id. */
    static long insert(Connection c, ReceivedInstance received, String node, String filePath, long fileSize) throws SQLException {
        InstanceHeader h = received.header();
        long studyId;
        try (PreparedStatement study = c.prepareStatement("""
                insert into study (study_instance_uid, patient_id, patient_name, accession_number, instance_count, attributes)
                values (?, ?, ?, ?, ?, ?)
                on conflict (study_instance_uid) do update set last_received_at = now(), instance_count = study.instance_count + excluded.instance_count,
                    attributes = coalesce(excluded.attributes, study.attributes)
                returning id""")) {
            study.setString(1, h.studyInstanceUid());
            study.setString(2, h.patientId());
            study.setString(3, h.patientName());
            study.setString(4, h.accessionNumber());
            // Only images (a pixel matrix) open a study for reporting: an SR or KOS, ours coming back included, must not.
            study.setInt(5, h.rows() > 0 ? 1 : 0);
            // What the SR copies comes from the newest image; an SR or KOS arriving (ours included) leaves it alone.
            study.setBytes(6, h.rows() > 0 ? h.studyAttributes() : null);
            studyId = single(study);
        }
        long seriesId;
        try (PreparedStatement series = c.prepareStatement("""
                insert into series (study_id, series_instance_uid, modality, body_part_examined)
                values (?, ?, ?, ?)
                on conflict (series_instance_uid) do update set modality = coalesce(series.modality, excluded.modality)
                returning id""")) {
            series.setLong(1, studyId);
            series.setString(2, h.seriesInstanceUid());
            series.setString(3, h.modality());
            series.setString(4, h.bodyPartExamined());
            seriesId = single(series);
        }
        try (PreparedStatement instance = c.prepareStatement("""
                insert into instance (study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, view_position,
                                      image_type, photometric_interpretation, rows, columns, node, file_path, file_size,
                                      calling_ae_title, association_id, priority)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                returning id""")) {
            int i = 1;
            instance.setLong(i++, studyId);
            instance.setLong(i++, seriesId);
            instance.setString(i++, h.sopInstanceUid());
            instance.setString(i++, h.sopClassUid());
            instance.setString(i++, received.transferSyntaxUid());
            instance.setString(i++, h.viewPosition());
            instance.setString(i++, h.imageType());
            instance.setString(i++, h.photometricInterpretation());
            instance.setInt(i++, h.rows());
            instance.setInt(i++, h.columns());
            instance.setString(i++, node);
            instance.setString(i++, filePath);
            instance.setLong(i++, fileSize);
            instance.setString(i++, received.association().callingAeTitle());
            instance.setString(i++, received.association().id());
            instance.setString(i, received.priority().name());
            return single(instance);
        }
    }

    static void recordAssociation(Connection c, AssociationInfo a, String node, boolean released, int instances) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                insert into association (id, node, calling_ae_title, called_ae_title, remote_address, opened_at, closed_at, released, instance_count)
                values (?, ?, ?, ?, ?, ?, now(), ?, ?)
                on conflict (id) do nothing""")) {
            insert.setString(1, a.id());
            insert.setString(2, node);
            insert.setString(3, a.callingAeTitle());
            insert.setString(4, a.calledAeTitle());
            insert.setString(5, a.remoteAddress());
            insert.setTimestamp(6, Timestamp.from(a.openedAt()));
            insert.setBoolean(7, released);
            insert.setInt(8, instances);
            insert.executeUpdate();
        }
    }

    /** Every file path this node's instance rows point at. */
    static Set<String> filePaths(Connection c, String node) throws SQLException {
        Set<String> paths = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("select file_path from instance where node = ? and file_deleted_at is null")) {
            s.setString(1, node);
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) paths.add(rs.getString(1));
            }
        }
        return paths;
    }

    private static long single(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
