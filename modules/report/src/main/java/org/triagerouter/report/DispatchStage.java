package org.triagerouter.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.net.AssociateReject;
import org.triagerouter.dicom.net.AssociationRejectedException;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobQueue;
import org.triagerouter.store.JobWorker;

/**
 * The dispatch stage: one C-STORE of a result's SR to one destination per job, DIMSE priority HIGH
 * for an URGENT study. Success or warning marks the delivery done; a permanent refusal (association
 * rejected permanently, SOP class not supported, the data set refused as such) fails it at once;
 * anything else is retried with backoff until the attempts run out. Deliveries stay visible either way.
 */
public final class DispatchStage implements JobWorker.Stage {
    private static final Logger log = LoggerFactory.getLogger(DispatchStage.class);

    private final Database database;
    private final JobQueue queue;
    private final ReportSettings settings;
    private final ClientSettings client;

    public DispatchStage(Database database, ReportSettings settings, ClientSettings client) {
        this.database = database;
        this.queue = new JobQueue(database);
        this.settings = settings;
        this.client = client;
    }

    private record Delivery(long id, String destination, byte[] sr, byte[] kos, String priority, String study) {}

    private record Outcome(boolean delivered, boolean permanent, String status, String error) {}

    @Override
    public void process(List<Job> jobs, String owner) throws SQLException {
        for (Job job : jobs) dispatch(job, owner);
    }

    void dispatch(Job job, String owner) throws SQLException {
        Delivery delivery = load(Long.parseLong(job.subject()));
        Destination destination = delivery == null ? null
                : settings.destinations().stream().filter(d -> d.name().equals(delivery.destination())).findFirst().orElse(null);
        Outcome outcome;
        if (delivery == null) outcome = new Outcome(false, true, null, "no delivery " + job.subject());
        else if (destination == null) outcome = new Outcome(false, true, null, "destination '" + delivery.destination() + "' is no longer configured");
        else outcome = send(delivery, destination);

        boolean lastAttempt = outcome.permanent() || job.attempts() >= job.maxAttempts();
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            if (delivery != null) {
                try (PreparedStatement s = c.prepareStatement("""
                        update delivery set attempts = attempts + 1, last_status = ?, last_error = ?,
                               state = ?, delivered_at = case when ? then now() end
                         where id = ?""")) {
                    s.setString(1, outcome.status());
                    s.setString(2, outcome.error());
                    s.setString(3, outcome.delivered() ? "delivered" : lastAttempt ? "failed" : "pending");
                    s.setBoolean(4, outcome.delivered());
                    s.setLong(5, delivery.id());
                    s.executeUpdate();
                }
            }
            if (outcome.delivered()) JobQueue.complete(c, job.id(), owner);
            c.commit();
        }
        if (!outcome.delivered()) queue.fail(job.id(), owner, outcome.error(), outcome.permanent(), settings.retry());
        if (delivery != null) {
            log.info("dispatch {} to {}: {}{}", delivery.study(), delivery.destination(),
                    outcome.delivered() ? "delivered" : lastAttempt ? "FAILED" : "will retry",
                    outcome.error() == null ? "" : " (" + outcome.error() + ")");
        }
    }

    private Outcome send(Delivery delivery, Destination destination) {
        try {
            List<byte[]> objects = destination.keyObjects() && delivery.kos() != null ? List.of(delivery.sr(), delivery.kos()) : List.of(delivery.sr());
            List<Part10Meta> metas = new java.util.ArrayList<>();
            for (byte[] object : objects) metas.add(Part10.readMeta(object));
            Priority priority = "URGENT".equals(delivery.priority()) ? Priority.HIGH : Priority.MEDIUM;
            try (ClientAssociation association = ClientAssociation.open(client, destination.remote(), ClientAssociation.contextsFor(metas))) {
                String codes = "";
                for (int i = 0; i < objects.size(); i++) {
                    byte[] object = objects.get(i);
                    Part10Meta meta = metas.get(i);
                    int offset = (int) meta.dataSetOffset(), length = object.length - offset;
                    DimseStatus status = association.store(meta.sopClassUid(), meta.sopInstanceUid(), meta.transferSyntaxUid(),
                            new ByteArrayInputStream(object, offset, length), length, priority);
                    codes += (codes.isEmpty() ? "" : ",") + String.format("0x%04X", status.code());
                    if (status.isFailure()) {
                        association.release();
                        boolean permanent = status.code() == DimseStatus.SOP_CLASS_NOT_SUPPORTED || (status.code() & 0xF000) == 0xC000
                                || (status.code() & 0xFF00) == 0xA900;
                        return new Outcome(false, permanent, codes, "C-STORE answered " + status);
                    }
                }
                association.release();
                return new Outcome(true, false, codes, null);
            }
        } catch (AssociationRejectedException e) {
            return new Outcome(false, e.result == AssociateReject.PERMANENT, null, e.getMessage());
        } catch (ClientAssociation.NoPresentationContextException e) {
            return new Outcome(false, true, null, "destination does not accept the SR: " + e.getMessage());
        } catch (IOException e) {
            return new Outcome(false, false, null, e.getMessage());
        }
    }

    private Delivery load(long id) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select d.id, d.destination, r.sr, r.kos, r.priority, st.study_instance_uid
                       from delivery d join study_result r on r.id = d.study_result_id join study st on st.id = r.study_id
                      where d.id = ?""")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Delivery(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getString(5), rs.getString(6)) : null;
            }
        }
    }
}
