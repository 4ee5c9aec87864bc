package org.triagerouter.dispatch;

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
import org.triagerouter.dicom.net.PresentationContext;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.ReferencedInstance;
import org.triagerouter.dicom.net.StorageCommitment;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * The dispatch stage: one C-STORE of a result's SR to one destination per job, DIMSE priority HIGH
 * for an URGENT study, or for an HL7 destination the result's HL7 messages over MLLP ({@link Hl7Sender}).
 * Success or warning (an accepting ACK) marks the delivery done; a permanent refusal (association
 * rejected permanently, SOP class not supported, the data set refused as such, an AR/CR ACK) fails it at
 * once; anything else is retried with backoff until the attempts run out. Deliveries stay visible either way.
 */
public final class DispatchStage implements StageWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(DispatchStage.class);

    private final Database database;
    private final DispatchSettings settings;
    private final Hl7Sender hl7;
    private final StorageCommitments commitments;

    public DispatchStage(Database database, DispatchSettings settings) {
        this.database = database;
        this.settings = settings;
        this.hl7 = new Hl7Sender(database, java.time.ZoneId.systemDefault());
        this.commitments = new StorageCommitments(database, settings.storageCommitment());
    }

    private record Delivery(long id, String destination, byte[] sr, byte[] kos, byte[] resultImage, String priority, String study) {}

    /** One attempt's outcome; {@code hl7} is what an HL7 delivery sent and heard back, null for DICOM. */
    record Sent(boolean delivered, boolean permanent, String status, String error, Hl7Sender.Exchange hl7) {
        Sent(boolean delivered, boolean permanent, String status, String error) {
            this(delivered, permanent, status, error, null);
        }
    }

    @Override
    public Outcome handle(Job job) throws SQLException {
        Delivery delivery = load(Long.parseLong(job.subject()));
        if (delivery == null) return Outcome.failed("no delivery " + job.subject());
        Destination destination = settings.destinations().stream().filter(d -> d.name().equals(delivery.destination())).findFirst().orElse(null);
        Sent sent = destination == null ? new Sent(false, true, null, "destination '" + delivery.destination() + "' is no longer configured")
                : destination.isHl7() ? hl7.send(delivery.id(), destination)
                : delivery.sr() == null ? new Sent(false, true, null, "the result has no SR to send")
                : send(delivery, destination);
        boolean lastAttempt = sent.permanent() || job.attempts() >= job.maxAttempts();
        log.info("dispatch {} to {}: {}{}", delivery.study(), delivery.destination(),
                sent.delivered() ? "delivered" : lastAttempt ? "FAILED" : "will retry", sent.error() == null ? "" : " (" + sent.error() + ")");
        Outcome.Rows record = c -> {
            if (sent.hl7() != null) sent.hl7().write(c, delivery.id());
            recordAttempt(c, delivery.id(), sent, lastAttempt);
        };
        if (sent.delivered()) return Outcome.done(record);
        return sent.permanent() ? Outcome.failed(sent.error(), record) : Outcome.retry(sent.error(), record);
    }

    /** The delivery row follows its job; a delivered one never changes again. */
    private static void recordAttempt(Connection c, long deliveryId, Sent sent, boolean lastAttempt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                update delivery set attempts = attempts + 1, last_status = ?, last_error = ?,
                       state = ?, delivered_at = case when ? then now() end
                 where id = ? and state <> 'delivered'""")) {
            s.setString(1, sent.status());
            s.setString(2, sent.error());
            s.setString(3, sent.delivered() ? "delivered" : lastAttempt ? "failed" : "pending");
            s.setBoolean(4, sent.delivered());
            s.setLong(5, deliveryId);
            s.executeUpdate();
        }
    }

    private Sent send(Delivery delivery, Destination destination) {
        try {
            Part10Meta srMeta = Part10.readMeta(delivery.sr());
            boolean withKos = destination.keyObjects() && delivery.kos() != null;
            boolean withImage = destination.resultImage() && delivery.resultImage() != null;
            Part10Meta kosMeta = withKos ? Part10.readMeta(delivery.kos()) : null;
            Part10Meta imageMeta = withImage ? Part10.readMeta(delivery.resultImage()) : null;
            List<Part10Meta> metas = new java.util.ArrayList<>(List.of(srMeta));
            if (withKos) metas.add(kosMeta);
            if (withImage) metas.add(imageMeta);
            Priority priority = "URGENT".equals(delivery.priority()) ? Priority.HIGH : Priority.MEDIUM;
            ClientSettings client = destination.clientSettings(settings.client());
            List<PresentationContext> contexts = new java.util.ArrayList<>(ClientAssociation.contextsFor(metas, client.transferSyntax()));
            if (destination.storageCommitment()) contexts.add(StorageCommitment.proposedContext(StorageCommitment.nextContextId(contexts)));
            try (ClientAssociation association = ClientAssociation.open(client, destination.remote(), contexts)) {
                DimseStatus status = store(association, delivery.sr(), srMeta, priority);
                String code = String.format("0x%04X", status.code());
                if (status.isFailure()) {
                    releaseQuietly(association, delivery, "refused");
                    boolean permanent = status.code() == DimseStatus.SOP_CLASS_NOT_SUPPORTED || (status.code() & 0xF000) == 0xC000
                            || (status.code() & 0xFF00) == 0xA900;
                    return new Sent(false, permanent, code, "C-STORE answered " + status);
                }
                // The SR decides the delivery; key objects and the result image are courtesies the destination may decline.
                List<String> notes = new java.util.ArrayList<>();
                List<ReferencedInstance> stored = new java.util.ArrayList<>(List.of(new ReferencedInstance(srMeta.sopClassUid(), srMeta.sopInstanceUid())));
                if (withKos) code += storeCourtesy(association, delivery.kos(), kosMeta, priority, "key objects", notes, stored);
                if (withImage) code += storeCourtesy(association, delivery.resultImage(), imageMeta, priority, "result image", notes, stored);
                if (destination.storageCommitment()) {
                    if (association.isOpen()) commitments.request(association, delivery.id(), delivery.study(), stored);
                    else log.warn("dispatch {} to {}: storage commitment not requested: the association ended during the courtesy objects",
                            delivery.study(), delivery.destination());
                }
                releaseQuietly(association, delivery, "stored");
                return new Sent(true, false, code, notes.isEmpty() ? null : String.join("; ", notes));
            }
        } catch (AssociationRejectedException e) {
            return new Sent(false, e.result == AssociateReject.PERMANENT, null, e.getMessage());
        } catch (ClientAssociation.NoPresentationContextException e) {
            return new Sent(false, true, null, "destination does not accept the SR: " + e.getMessage());
        } catch (org.triagerouter.dicom.file.DataSetReencoder.ReencodingFailedException e) {
            return new Sent(false, true, null, e.getMessage()); // the same object fails the same way next time
        } catch (IOException e) {
            return new Sent(false, false, null, e.getMessage());
        }
    }

    /** Stores an object that comes with the SR; a refusal or failure is noted, never undoing the SR's delivery. Returns ",0xSTATUS" or "". */
    private static String storeCourtesy(ClientAssociation association, byte[] object, Part10Meta meta, Priority priority, String what,
                                        List<String> notes, List<ReferencedInstance> stored) {
        try {
            DimseStatus status = store(association, object, meta, priority);
            if (status.isFailure()) notes.add(what + " refused: " + status);
            else stored.add(new ReferencedInstance(meta.sopClassUid(), meta.sopInstanceUid()));
            return String.format(",0x%04X", status.code());
        } catch (ClientAssociation.NoPresentationContextException e) {
            notes.add(what + " not accepted by the destination");
        } catch (IOException e) {
            notes.add(what + " not sent: " + e.getMessage());
        }
        return "";
    }

    /** The C-STORE status decided the delivery; a release the peer botches (an abort, a close) does not undo it, it is only logged. */
    private static void releaseQuietly(ClientAssociation association, Delivery delivery, String outcome) {
        try {
            association.release();
        } catch (IOException e) {
            log.warn("dispatch {} to {}: {}, but the release failed: {}", delivery.study(), delivery.destination(), outcome, e.getMessage());
        }
    }

    private static DimseStatus store(ClientAssociation association, byte[] object, Part10Meta meta, Priority priority) throws IOException {
        int offset = (int) meta.dataSetOffset(), length = object.length - offset;
        return association.store(meta.sopClassUid(), meta.sopInstanceUid(), meta.transferSyntaxUid(),
                new ByteArrayInputStream(object, offset, length), length, priority);
    }

    /**
     * Deliveries whose dispatch job ended FAILED elsewhere (its lease expired on the last attempt, or a worker
     * failed a whole batch) are marked failed too, so they show as failed and the retry command can find them.
     */
    public static int markAbandoned(Database database) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     update delivery d set state = 'failed', last_error = coalesce(j.last_error, 'dispatch job failed')
                       from job j
                      where j.kind = ? and j.subject = d.id::text and j.state = 'failed' and d.state = 'pending'""")) {
            s.setString(1, JobKind.DISPATCH.id());
            return s.executeUpdate();
        }
    }

    private Delivery load(long id) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select d.id, d.destination, r.sr, r.kos, r.result_image, r.priority, st.study_instance_uid
                       from delivery d join study_result r on r.id = d.study_result_id join study st on st.id = r.study_id
                      where d.id = ?""")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Delivery(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5), rs.getString(6),
                        rs.getString(7)) : null;
            }
        }
    }
}
