package org.triagerouter.dicom.net;

import java.util.ArrayList;
import java.util.List;
import org.triagerouter.dicom.Uids;

/**
 * Decides an A-ASSOCIATE-RQ: reject it (called or calling AE title, nothing acceptable) or accept
 * it with a result per presentation context. Verification and every storage SOP class are accepted;
 * of the transfer syntaxes proposed, the SCU's first that we accept wins, so a modality that offers
 * its native compressed syntax first is never made to transcode.
 */
final class AssociationNegotiator {
    private final ServerSettings settings;
    /** Accept Storage Commitment Push Model, with the requestor as its SCP (a PACS reporting results, PS3.4 J.3.3.1.3). */
    private final boolean storageCommitment;

    AssociationNegotiator(ServerSettings settings) { this(settings, false); }

    AssociationNegotiator(ServerSettings settings, boolean storageCommitment) {
        this.settings = settings;
        this.storageCommitment = storageCommitment;
    }

    /** Either {@code reject} is set, or {@code accept} is. */
    record Decision(AssociateReject reject, AssociateMessage accept, String reason) {}

    Decision decide(AssociateMessage request) {
        if (!settings.aeTitle().equals(request.calledAeTitle())) {
            return new Decision(AssociateReject.CALLED_AE_NOT_RECOGNIZED, null,
                    "called AE title '" + request.calledAeTitle() + "' is not ours ('" + settings.aeTitle() + "')");
        }
        if (!settings.allowedCallingAeTitles().isEmpty() && !settings.allowedCallingAeTitles().contains(request.callingAeTitle())) {
            return new Decision(AssociateReject.CALLING_AE_NOT_RECOGNIZED, null,
                    "calling AE title '" + request.callingAeTitle() + "' is not in the allow-list");
        }
        List<PresentationContext> results = new ArrayList<>();
        boolean anyAccepted = false;
        for (PresentationContext proposed : request.presentationContexts()) {
            PresentationContext result = decide(proposed);
            anyAccepted |= result.isAccepted();
            results.add(result);
        }
        if (!anyAccepted) {
            return new Decision(AssociateReject.NO_REASON_GIVEN, null, "no acceptable presentation context among "
                    + request.presentationContexts().size() + " proposed");
        }
        List<RoleSelection> roles = new ArrayList<>();
        for (RoleSelection role : request.roleSelections()) {
            // We are the SCP of the services we offer (the requestor keeps its SCU role), but for Storage Commitment the
            // requestor is the PACS acting as its SCP, to send us the N-EVENT-REPORT.
            boolean requestorScp = storageCommitment && StorageCommitment.SOP_CLASS.equals(role.sopClassUid()) && role.scp();
            roles.add(new RoleSelection(role.sopClassUid(), role.scu(), requestorScp));
        }
        AssociateMessage accept = new AssociateMessage(request.calledAeTitle(), request.callingAeTitle(), results,
                settings.maxPduLength(), Uids.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_VERSION, roles);
        return new Decision(null, accept, null);
    }

    private PresentationContext decide(PresentationContext proposed) {
        List<String> acceptable;
        if (Uids.VERIFICATION.equals(proposed.abstractSyntax())
                || (storageCommitment && StorageCommitment.SOP_CLASS.equals(proposed.abstractSyntax()))) {
            acceptable = Uids.UNCOMPRESSED_TRANSFER_SYNTAXES;
        } else if (Uids.isStorageSopClass(proposed.abstractSyntax())) {
            acceptable = settings.imageTransferSyntaxes();
        } else {
            return PresentationContext.rejected(proposed.id(), proposed.abstractSyntax(), PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED);
        }
        for (String ts : proposed.transferSyntaxes()) {
            if (acceptable.contains(ts)) return PresentationContext.accepted(proposed.id(), proposed.abstractSyntax(), ts);
        }
        return PresentationContext.rejected(proposed.id(), proposed.abstractSyntax(), PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED);
    }
}
