package org.triagerouter.dispatch;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReferencedInstance;
import org.triagerouter.dicom.net.StorageCommitment;
import org.triagerouter.dicom.net.StorageCommitmentHandler;
import org.triagerouter.dicom.net.StorageCommitmentResult;
import org.triagerouter.store.Database;

/**
 * Storage Commitment of deliveries, kept in {@code storage_commitment}: the row is written before the N-ACTION goes
 * out, so the N-EVENT-REPORT finds it by Transaction UID on whichever node the PACS reports to, on the same
 * association or a new one. A result commits the row when every instance named is committed; otherwise it fails
 * with the PACS's failure reasons; without a result by the row's expiry it times out. The delivery stays delivered.
 */
public final class StorageCommitments implements StorageCommitmentHandler {
    private static final Logger log = LoggerFactory.getLogger(StorageCommitments.class);
    /** N-EVENT-REPORT status for a Transaction UID the router never sent or has pruned (PS3.7 10.1.1.1.8). */
    static final int INVALID_ARGUMENT_VALUE = 0x0115;
    static final int PROCESSING_FAILURE = 0x0110;

    private final Database database;
    private final StorageCommitmentSettings settings;

    public StorageCommitments(Database database, StorageCommitmentSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    /**
     * After a delivery's C-STOREs: records the request, sends the N-ACTION naming {@code stored} and waits a moment for
     * the result on the same association. Whatever goes wrong is recorded on the commitment, never on the delivery.
     */
    void request(ClientAssociation association, long deliveryId, String study, List<ReferencedInstance> stored) {
        String transactionUid = Uids.newUid();
        try {
            begin(transactionUid, deliveryId, stored);
        } catch (SQLException e) {
            log.error("storage commitment for delivery {} ({}) not requested: cannot record it: {}", deliveryId, study, e.getMessage());
            return;
        }
        try {
            DimseStatus status = StorageCommitment.request(association, transactionUid, stored);
            if (!status.isSuccess() && !status.isWarning()) {
                refuse(transactionUid, "N-ACTION answered " + status);
                return;
            }
            log.info("storage commitment {} requested for delivery {} ({}): {} instance(s)", transactionUid, deliveryId, study, stored.size());
            if (!settings.sameAssociationWait().isZero()) StorageCommitment.awaitResult(association, settings.sameAssociationWait(), this);
        } catch (ClientAssociation.NoPresentationContextException e) {
            refuse(transactionUid, "the destination does not accept Storage Commitment (SOP class " + StorageCommitment.SOP_CLASS + ")");
        } catch (IOException e) {
            // The N-ACTION may or may not have arrived: a result can still come on a new association until the row expires.
            log.warn("storage commitment {} for delivery {} ({}): {}", transactionUid, deliveryId, study, e.getMessage());
            noteProblem(transactionUid, e.getMessage());
        }
    }

    private void begin(String transactionUid, long deliveryId, List<ReferencedInstance> stored) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     insert into storage_commitment (transaction_uid, delivery_id, sop_class_uids, sop_instance_uids, node, expires_at)
                     values (?, ?, ?, ?, ?, now() + ? * interval '1 millisecond')""")) {
            s.setString(1, transactionUid);
            s.setLong(2, deliveryId);
            s.setArray(3, c.createArrayOf("text", stored.stream().map(ReferencedInstance::sopClassUid).toArray()));
            s.setArray(4, c.createArrayOf("text", stored.stream().map(ReferencedInstance::sopInstanceUid).toArray()));
            String node = database.settings().node();
            s.setString(5, node == null ? "" : node);
            s.setLong(6, settings.timeout().toMillis());
            s.executeUpdate();
        }
    }

    private void refuse(String transactionUid, String reason) {
        log.warn("storage commitment {} failed: {}", transactionUid, reason);
        update("update storage_commitment set state = 'failed', answered_at = now(), reason = ? where transaction_uid = ? and state = 'requested'",
                reason, transactionUid);
    }

    private void noteProblem(String transactionUid, String problem) {
        update("update storage_commitment set reason = ? where transaction_uid = ? and state = 'requested'", problem, transactionUid);
    }

    private void update(String sql, String reason, String transactionUid) {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, reason);
            s.setString(2, transactionUid);
            s.executeUpdate();
        } catch (SQLException e) {
            log.error("storage commitment {}: cannot record '{}': {}", transactionUid, reason, e.getMessage());
        }
    }

    /** An N-EVENT-REPORT, from the listener or the N-ACTION's association: recorded against its Transaction UID. */
    @Override
    public DimseStatus onResult(StorageCommitmentResult result, String reportedBy) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                DimseStatus status = record(c, result, reportedBy);
                c.commit();
                return status;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            log.error("storage commitment {} from {}: cannot record the result: {}", result.transactionUid(), reportedBy, e.getMessage());
            return DimseStatus.of(PROCESSING_FAILURE, "router cannot record the result now");
        }
    }

    private static DimseStatus record(Connection c, StorageCommitmentResult result, String reportedBy) throws SQLException {
        List<String> requested;
        String state;
        long deliveryId;
        try (PreparedStatement s = c.prepareStatement(
                "select sop_instance_uids, state, delivery_id from storage_commitment where transaction_uid = ? for update")) {
            s.setString(1, result.transactionUid());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    log.warn("storage commitment result from {} for unknown Transaction UID {}", reportedBy, result.transactionUid());
                    return DimseStatus.of(INVALID_ARGUMENT_VALUE, "unknown Transaction UID");
                }
                requested = Arrays.asList((String[]) rs.getArray(1).getArray());
                state = rs.getString(2);
                deliveryId = rs.getLong(3);
            }
        }
        if (state.equals("committed") || state.equals("failed")) {
            // The SCP sent it again (it did not see our response): it is answered, the first result stands.
            log.info("storage commitment {} from {}: already {}", result.transactionUid(), reportedBy, state);
            return DimseStatus.SUCCESS;
        }
        Set<String> committed = new LinkedHashSet<>();
        for (ReferencedInstance i : result.committed()) committed.add(i.sopInstanceUid());
        List<String> problems = new ArrayList<>();
        List<String> failedUids = new ArrayList<>();
        for (StorageCommitmentResult.Failure f : result.failed()) {
            problems.add(f.describe());
            failedUids.add(f.instance().sopInstanceUid());
        }
        for (String uid : requested) {
            if (!committed.contains(uid) && !failedUids.contains(uid)) {
                problems.add(uid + " not in the result");
                failedUids.add(uid);
            }
        }
        boolean allCommitted = problems.isEmpty() && result.eventType() == StorageCommitment.EVENT_SUCCESS;
        if (!allCommitted && problems.isEmpty()) problems.add("event type " + result.eventType() + " without a failed instance");
        try (PreparedStatement s = c.prepareStatement("""
                update storage_commitment set state = ?, answered_at = now(), reported_by = ?, failed_instance_uids = ?, reason = ?
                 where transaction_uid = ?""")) {
            s.setString(1, allCommitted ? "committed" : "failed");
            s.setString(2, reportedBy);
            s.setArray(3, failedUids.isEmpty() ? null : c.createArrayOf("text", failedUids.toArray()));
            s.setString(4, allCommitted ? null : String.join("; ", problems));
            s.setString(5, result.transactionUid());
            s.executeUpdate();
        }
        log.info("storage commitment {} of delivery {}: {} by {}{}", result.transactionUid(), deliveryId, allCommitted ? "committed" : "FAILED",
                reportedBy, allCommitted ? "" : " (" + String.join("; ", problems) + ")");
        return DimseStatus.SUCCESS;
    }

    /** Requests without a result past their expiry are timed out; run by a lifecycle job on any node. */
    public static int expire(Database database) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     update storage_commitment set state = 'timed_out',
                            reason = concat_ws('; ', reason, 'no N-EVENT-REPORT within ' || case
                                when expires_at - requested_at < interval '2 minutes' then round(extract(epoch from expires_at - requested_at)) || ' s'
                                else round(extract(epoch from expires_at - requested_at) / 60) || ' min' end)
                      where state = 'requested' and expires_at < now()""")) {
            return s.executeUpdate();
        }
    }
}
