package org.triagerouter.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.imageio.ImageIO;
import org.triagerouter.store.Database;

/**
 * Rows as the stages would leave them, for four studies: A urgent (its delivery failed), B routine
 * (delivered), C still being prepared, D high. Arrival order: B, A, C, D.
 */
final class SeededPipeline {
    static final String A = "2.25.1001", B = "2.25.1002", C = "2.25.1003", D = "2.25.1004";
    long failedDeliveryId, failedDispatchJobId, failedPrepareJobId;

    SeededPipeline(Database database) throws Exception {
        try (Connection c = database.connection()) {
            long a = study(c, A, "DOE^JANE", "PID-A", "ACC-A", 30);
            long b = study(c, B, "ROE^RICHARD", "PID-B", "ACC-B", 50);
            long cc = study(c, C, "POE^EDGAR", "PID-C", "ACC-C", 10);
            long d = study(c, D, "LOE^LINDA", "PID-D", "ACC-D", 5);
            long ia = instance(c, a, A, 30);
            instance(c, b, B, 50);
            instance(c, cc, C, 10);
            instance(c, d, D, 5);
            exec(c, "insert into canonical_image (instance_id, png, width, height, source_width, source_height, window_source, render_ms) "
                    + "values (?, ?, 200, 300, 2000, 3000, 'test', 1)", ia, png(200, 300));
            exec(c, "insert into score (instance_id, model_id, model_version, demo_model, score, priority, operating_points, label_scores, "
                    + "provider, batch_size, tensor_ms, run_ms, node) values (?, 'm', '1', false, 0.93, 'URGENT', 'balanced', 'abnormal=0.93', 'cpu', 1, 1, 1, 'n1')", ia);
            long ra = result(c, a, "ABNORMAL", 0.93, "URGENT");
            long rb = result(c, b, "NORMAL", 0.12, "ROUTINE");
            result(c, d, "ABNORMAL", 0.71, "HIGH");
            failedDeliveryId = id(c, "insert into delivery (study_result_id, destination, state, attempts, last_status, last_error) "
                    + "values (?, 'pacs', 'failed', 3, null, 'cannot connect to PACS@127.0.0.1:1: Connection refused') returning id", ra);
            exec(c, "insert into delivery (study_result_id, destination, state, attempts, delivered_at) values (?, 'pacs', 'delivered', 1, now())", rb);
            failedDispatchJobId = id(c, "insert into job (kind, subject, state, attempts, max_attempts, last_error, finished_at) "
                    + "values ('dispatch', ?, 'failed', 3, 3, 'cannot connect', now()) returning id", String.valueOf(failedDeliveryId));
            failedPrepareJobId = id(c, "insert into job (kind, subject, state, attempts, last_error, finished_at) "
                    + "values ('prepare', ?, 'failed', 1, 'unsupported transfer syntax 1.2.840.10008.1.2.4.100', now()) returning id", C + ".1");
            exec(c, "insert into job (kind, subject, state, created_at) values ('prepare', 'queued-one', 'queued', now() - interval '42 seconds')");
            exec(c, "insert into job (kind, subject, state, finished_at) values ('infer', ?, 'done', now())", A + ".1");
        }
    }

    private static long study(Connection c, String uid, String name, String pid, String acc, int minutesAgo) throws Exception {
        return id(c, "insert into study (study_instance_uid, patient_name, patient_id, accession_number, first_received_at, last_received_at, "
                + "instance_count) values (?, ?, ?, ?, now() - ? * interval '1 minute', now() - ? * interval '1 minute', 1) returning id",
                uid, name, pid, acc, minutesAgo, minutesAgo);
    }

    private static long instance(Connection c, long study, String studyUid, int minutesAgo) throws Exception {
        long series = id(c, "insert into series (study_id, series_instance_uid, modality) values (?, ?, 'DX') returning id", study, studyUid + ".0");
        return id(c, "insert into instance (study_id, series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, view_position, rows, columns, "
                + "node, file_path, file_size, calling_ae_title, association_id, priority, received_at) values (?, ?, ?, '1.2.840.10008.5.1.4.1.1.1.1', "
                + "'1.2.840.10008.1.2.1', 'PA', 3000, 2000, 'n1', '/x', 1, 'MOD', 'as1', 'MEDIUM', now() - ? * interval '1 minute') returning id",
                study, series, studyUid + ".1", minutesAgo);
    }

    private static long result(Connection c, long study, String category, double score, String priority) throws Exception {
        return id(c, "insert into study_result (study_id, model_id, model_version, revision, status, category, score, priority, image_count) "
                + "values (?, 'm', '1', 1, 'REPORTED', ?, ?, ?, 1) returning id", study, category, score, priority);
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.getRaster().setSample(x, y, 0, (x + y) & 0xff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static long id(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void exec(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
            s.executeUpdate();
        }
    }
}
