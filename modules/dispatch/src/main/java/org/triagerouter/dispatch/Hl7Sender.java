package org.triagerouter.dispatch;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.triagerouter.dicom.file.StudyAttributes;
import org.triagerouter.hl7.Hl7Ack;
import org.triagerouter.hl7.Hl7Message;
import org.triagerouter.hl7.Hl7PriorityMessage;
import org.triagerouter.hl7.Hl7Result;
import org.triagerouter.hl7.Hl7ResultMessage;
import org.triagerouter.hl7.Hl7Study;
import org.triagerouter.hl7.MllpConnection;
import org.triagerouter.store.Database;

/**
 * One attempt at an HL7 delivery: the result's messages (the priority message first when the result is
 * URGENT or HIGH and this destination has not yet accepted that priority for the study, then the ORU),
 * sent over one MLLP connection, each waiting for its ACK. A message the peer accepted (AA/CA) in an
 * earlier attempt is not sent again; AE/CE or no ACK in time ask for a retry; AR/CR fail the delivery
 * at once with the peer's text. The delivery row records every message's type, control ID, ACK code and text.
 * A delivery whose result has been revised since (with a delivery of its own here) is not sent: a correction must
 * not be followed by the result it corrects.
 */
final class Hl7Sender {
    private final Database database;
    private final ZoneId zone;

    Hl7Sender(Database database, ZoneId zone) {
        this.database = database;
        this.zone = zone;
    }

    /** What the delivery row keeps of the messages: parallel lists in sending order. */
    record Exchange(String orderKey, List<String> types, List<String> controlIds, List<String> ackCodes, List<String> ackTexts) {
        /** Written before the attempt's state, whose update leaves a delivered row alone. */
        void write(Connection c, long deliveryId) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("""
                    update delivery set hl7_order_key = ?, hl7_message_types = ?, hl7_control_ids = ?, hl7_ack_codes = ?, hl7_ack_texts = ?
                     where id = ? and state <> 'delivered'""")) {
                s.setString(1, orderKey);
                s.setArray(2, c.createArrayOf("text", types.toArray()));
                s.setArray(3, c.createArrayOf("text", controlIds.toArray()));
                s.setArray(4, c.createArrayOf("text", ackCodes.toArray()));
                s.setArray(5, c.createArrayOf("text", ackTexts.toArray()));
                s.setLong(6, deliveryId);
                s.executeUpdate();
            }
        }
    }

    private record Loaded(Hl7Study study, Hl7Result result, String status, long studyId, String modelId, String modelVersion,
                          List<String> controlIds, List<String> ackCodes, List<String> ackTexts) {}

    DispatchStage.Sent send(long deliveryId, Destination destination) throws SQLException {
        Hl7Destination hl7 = destination.hl7();
        Loaded loaded;
        try {
            loaded = load(deliveryId);
        } catch (IOException e) {
            return new DispatchStage.Sent(false, true, null, "HL7: " + e.getMessage());
        }
        if (loaded == null) return new DispatchStage.Sent(false, true, null, "HL7: no result for delivery " + deliveryId);
        Integer newer = newerRevision(loaded, destination.name());
        if (newer != null) {
            // A RIS that got the correction must not get the older result after it (the RIS was down across a re-open).
            return new DispatchStage.Sent(false, true, null, "superseded by revision " + newer + ", which this destination gets instead: not sent");
        }
        List<Hl7Message> messages = new ArrayList<>();
        Instant now = Instant.now();
        try {
            if (hl7.options().wantsPriorityMessage(loaded.result().priority()) && !priorityAcceptedBefore(loaded, destination.name())) {
                messages.add(Hl7PriorityMessage.build(loaded.study(), loaded.result(), hl7.options(), now, zone));
            }
            messages.add(Hl7ResultMessage.build(loaded.study(), loaded.result(), hl7.options(), now, zone));
        } catch (ca.uhn.hl7v2.HL7Exception | RuntimeException e) {
            return new DispatchStage.Sent(false, true, null, "HL7 message not built: " + e.getMessage());
        }
        List<String> codes = new ArrayList<>(), texts = new ArrayList<>();
        for (Hl7Message m : messages) {
            int before = loaded.controlIds().indexOf(m.controlId());
            codes.add(at(loaded.ackCodes(), before));
            texts.add(at(loaded.ackTexts(), before));
        }
        String error = null;
        boolean permanent = false;
        int i = firstUnaccepted(codes);
        if (i < messages.size()) {
            try (MllpConnection connection = MllpConnection.open(hl7.endpoint())) {
                for (; i < messages.size(); i++) {
                    Hl7Message m = messages.get(i);
                    if (accepted(codes.get(i))) continue;
                    Hl7Ack ack;
                    try {
                        ack = connection.exchange(m);
                    } catch (IOException e) {
                        codes.set(i, null);
                        texts.set(i, e.getMessage());
                        error = m.type() + " " + m.controlId() + ": " + e.getMessage();
                        break;
                    }
                    codes.set(i, ack.code());
                    texts.set(i, ack.text().isEmpty() ? null : ack.text());
                    if (ack.verdict() == Hl7Ack.Verdict.ACCEPTED) continue;
                    permanent = ack.verdict() == Hl7Ack.Verdict.REJECTED;
                    error = m.type() + " " + m.controlId() + " answered " + ack.describe();
                    break;
                }
            } catch (IOException e) {
                error = e.getMessage(); // connecting failed: nothing was sent this time
            }
        }
        Exchange exchange = new Exchange(loaded.study().orderKey().kind().label, messages.stream().map(Hl7Message::type).toList(),
                messages.stream().map(Hl7Message::controlId).toList(), codes, texts);
        List<String> status = new ArrayList<>();
        for (int k = 0; k < messages.size(); k++) status.add(messages.get(k).type() + " " + (codes.get(k) == null ? "-" : codes.get(k)));
        boolean delivered = error == null && codes.stream().allMatch(Hl7Sender::accepted);
        return new DispatchStage.Sent(delivered, permanent, String.join(", ", status), error, exchange);
    }

    private static String at(List<String> list, int i) {
        return i >= 0 && i < list.size() ? list.get(i) : null;
    }

    private static int firstUnaccepted(List<String> codes) {
        int i = 0;
        while (i < codes.size() && accepted(codes.get(i))) i++;
        return i;
    }

    private static boolean accepted(String code) {
        return "AA".equals(code) || "CA".equals(code);
    }

    /** The latest later revision of the same result with a delivery to this destination, or null. */
    private Integer newerRevision(Loaded loaded, String destination) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select max(r.revision) from delivery d join study_result r on r.id = d.study_result_id
                      where r.study_id = ? and r.model_id = ? and r.model_version = ? and r.revision > ? and d.destination = ?""")) {
            s.setLong(1, loaded.studyId());
            s.setString(2, loaded.modelId());
            s.setString(3, loaded.modelVersion());
            s.setInt(4, loaded.result().revision());
            s.setString(5, destination);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                int revision = rs.getInt(1);
                return rs.wasNull() ? null : revision;
            }
        }
    }

    /** An earlier revision's delivery to this destination whose priority message, for the same priority, was accepted. */
    private boolean priorityAcceptedBefore(Loaded loaded, String destination) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select d.hl7_message_types, d.hl7_ack_codes from delivery d join study_result r on r.id = d.study_result_id
                      where r.study_id = ? and r.model_id = ? and r.model_version = ? and r.revision < ? and r.priority = ?
                        and d.destination = ?""")) {
            s.setLong(1, loaded.studyId());
            s.setString(2, loaded.modelId());
            s.setString(3, loaded.modelVersion());
            s.setInt(4, loaded.result().revision());
            s.setString(5, loaded.result().priority());
            s.setString(6, destination);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    List<String> types = strings(rs.getArray(1)), codes = strings(rs.getArray(2));
                    for (int i = 0; i < types.size() && i < codes.size(); i++) {
                        if (Hl7PriorityMessage.TYPE.equals(types.get(i)) && accepted(codes.get(i))) return true;
                    }
                }
            }
        }
        return false;
    }

    private Loaded load(long deliveryId) throws SQLException, IOException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select r.id, r.revision, r.status, r.category, r.score, r.priority, r.model_id, r.model_version, r.operating_point,
                            r.threshold, r.demo_model, r.clinical_use, r.reason, r.created_at, r.sr, st.attributes, st.study_instance_uid,
                            r.study_id, d.hl7_control_ids, d.hl7_ack_codes, d.hl7_ack_texts
                       from delivery d join study_result r on r.id = d.study_result_id join study st on st.id = r.study_id
                      where d.id = ?""")) {
            s.setLong(1, deliveryId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return null;
                byte[] attributes = rs.getBytes("attributes"), sr = rs.getBytes("sr");
                String uid = rs.getString("study_instance_uid");
                // Attributes are kept at receipt; a study from before that has them in its SR, which copies them.
                StudyAttributes.Patient p = attributes != null ? StudyAttributes.patient(attributes)
                        : sr != null ? StudyAttributes.patientOfPart10(sr) : null;
                if (p == null) throw new IOException("study " + uid + " has no stored patient attributes");
                Hl7Study study = new Hl7Study(p.id(), p.name(), p.birthDate(), p.sex(), p.accessionNumber(), uid, p.studyDescription(),
                        p.studyDate(), p.studyTime());
                boolean demo = Boolean.TRUE.equals(rs.getObject("demo_model", Boolean.class));
                Boolean clinical = rs.getObject("clinical_use", Boolean.class);
                String status = rs.getString("status");
                String category = "REPORTED".equals(status) ? rs.getString("category") : status;
                Hl7Result result = new Hl7Result(rs.getLong("id"), rs.getInt("revision"), category, rs.getObject("score", Double.class),
                        rs.getString("priority"), rs.getString("model_id"), rs.getString("model_version"), rs.getString("operating_point"),
                        rs.getObject("threshold", Double.class), demo, clinical == null ? !demo : clinical, rs.getString("reason"),
                        rs.getTimestamp("created_at").toInstant());
                return new Loaded(study, result, status, rs.getLong("study_id"), rs.getString("model_id"), rs.getString("model_version"),
                        strings(rs.getArray("hl7_control_ids")), strings(rs.getArray("hl7_ack_codes")), strings(rs.getArray("hl7_ack_texts")));
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) return List.of();
        return new ArrayList<>(Arrays.asList((String[]) array.getArray()));
    }
}
