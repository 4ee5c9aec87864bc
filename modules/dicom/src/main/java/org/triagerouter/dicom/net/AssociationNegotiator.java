package org.triagerouter.dicom.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.triagerouter.dicom.Uids;

/**
 * Decides an A-ASSOCIATE-RQ: reject it (called or calling AE title, a known sender from the wrong host)
 * or accept it with a result per presentation context, even when none is accepted (PS3.8 9.3.3.2: the
 * requestor learns each context's reason). Verification and every storage SOP class are accepted, plus
 * the configured extra ones; a known sender gets its own SOP classes and transfer syntaxes. Of the
 * transfer syntaxes proposed, the SCU's first that we accept wins, so a modality that offers its
 * native compressed syntax first is never made to transcode.
 */
final class AssociationNegotiator {
    /** Presentation context IDs are odd numbers 1-255 (PS3.8 9.3.2.2), so an association holds at most 128. */
    static final int MAX_PRESENTATION_CONTEXTS = 128;

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

    /**
     * What makes a decoded A-ASSOCIATE-RQ invalid as a PDU (answered with A-ABORT, not a reject), or null:
     * no presentation context, more than 128, or IDs that are not odd and unique.
     */
    static String malformation(AssociateMessage request) {
        List<PresentationContext> contexts = request.presentationContexts();
        if (contexts.isEmpty()) return "A-ASSOCIATE-RQ proposes no presentation context";
        if (contexts.size() > MAX_PRESENTATION_CONTEXTS) {
            return "A-ASSOCIATE-RQ proposes " + contexts.size() + " presentation contexts, at most " + MAX_PRESENTATION_CONTEXTS + " are possible";
        }
        Set<Integer> ids = new HashSet<>();
        for (PresentationContext pc : contexts) {
            if ((pc.id() & 1) == 0) return "presentation context ID " + pc.id() + " is even (PS3.8 9.3.2.2: odd, 1 to 255)";
            if (!ids.add(pc.id())) return "presentation context ID " + pc.id() + " is proposed twice";
        }
        return null;
    }

    /**
     * A called or calling AE title that is empty (16 spaces) or holds what an AE title cannot (PS3.5 VR AE), as a
     * rejection, or null. Checked before anything else reads the titles, so they never reach a log line raw.
     */
    static Decision titleRejection(AssociateMessage request) {
        String calledProblem = AeTitleCheck.problem(request.calledAeTitle());
        if (calledProblem != null) {
            return new Decision(AssociateReject.CALLED_AE_NOT_RECOGNIZED, null,
                    "called AE title " + AeTitleCheck.printable(request.calledAeTitle()) + " " + calledProblem);
        }
        String callingProblem = AeTitleCheck.problem(request.callingAeTitle());
        if (callingProblem != null) {
            return new Decision(AssociateReject.CALLING_AE_NOT_RECOGNIZED, null,
                    "calling AE title " + AeTitleCheck.printable(request.callingAeTitle()) + " " + callingProblem);
        }
        return null;
    }

    Decision decide(AssociateMessage request, InetAddress remote) {
        Decision badTitle = titleRejection(request);
        if (badTitle != null) return badTitle;
        if (!settings.aeTitle().equals(request.calledAeTitle())) {
            return new Decision(AssociateReject.CALLED_AE_NOT_RECOGNIZED, null,
                    "called AE title '" + request.calledAeTitle() + "' is not ours ('" + settings.aeTitle() + "')");
        }
        SenderProfile sender = settings.sender(request.callingAeTitle());
        if (sender != null) {
            if (!sender.admits(remote)) {
                return new Decision(AssociateReject.CALLING_AE_NOT_RECOGNIZED, null, "calling AE title '" + request.callingAeTitle()
                        + "' is bound to " + sender.hosts() + ", not to " + remote.getHostAddress());
            }
        } else if (!settings.allowedCallingAeTitles().isEmpty() && !settings.allowedCallingAeTitles().contains(request.callingAeTitle())) {
            return new Decision(AssociateReject.CALLING_AE_NOT_RECOGNIZED, null,
                    "calling AE title '" + request.callingAeTitle() + "' is not in the allow-list");
        }
        List<PresentationContext> results = new ArrayList<>();
        // Storage Commitment only from a PACS reporting results (it proposes the SCP role, PS3.4 J.3.3.1.3): a modality asking
        // the router to commit what it sent would get a context and then no provider, so it is told "not supported" at once.
        boolean reportsCommitments = storageCommitment && request.roleSelections().stream()
                .anyMatch(role -> StorageCommitment.SOP_CLASS.equals(role.sopClassUid()) && role.scp());
        for (PresentationContext proposed : request.presentationContexts()) results.add(decide(proposed, sender, reportsCommitments));
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

    private PresentationContext decide(PresentationContext proposed, SenderProfile sender, boolean reportsCommitments) {
        List<String> acceptable;
        if (Uids.VERIFICATION.equals(proposed.abstractSyntax())
                || (reportsCommitments && StorageCommitment.SOP_CLASS.equals(proposed.abstractSyntax()))) {
            acceptable = Uids.UNCOMPRESSED_TRANSFER_SYNTAXES;
        } else if (acceptsStorage(proposed.abstractSyntax(), sender)) {
            acceptable = sender != null && !sender.transferSyntaxes().isEmpty() ? sender.transferSyntaxes() : settings.imageTransferSyntaxes();
        } else {
            return PresentationContext.rejected(proposed.id(), proposed.abstractSyntax(), PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED);
        }
        for (String ts : proposed.transferSyntaxes()) {
            if (acceptable.contains(ts)) return PresentationContext.accepted(proposed.id(), proposed.abstractSyntax(), ts);
        }
        return PresentationContext.rejected(proposed.id(), proposed.abstractSyntax(), PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED);
    }

    /** A known sender's own list decides alone; otherwise every standard storage SOP class and the extra ones. */
    private boolean acceptsStorage(String sopClass, SenderProfile sender) {
        if (sender != null && !sender.sopClasses().isEmpty()) return sender.sopClasses().contains(sopClass);
        return Uids.isStorageSopClass(sopClass) || settings.extraStorageSopClasses().contains(sopClass);
    }
}
