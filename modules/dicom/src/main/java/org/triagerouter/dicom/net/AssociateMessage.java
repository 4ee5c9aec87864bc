package org.triagerouter.dicom.net;

import java.util.List;

/**
 * The content of an A-ASSOCIATE-RQ or -AC PDU (PS3.8 9.3.2, 9.3.3). In an AC, each presentation
 * context has a result; abstract syntaxes are not sent in an AC and are filled in from the request.
 */
public record AssociateMessage(
        String calledAeTitle,
        String callingAeTitle,
        List<PresentationContext> presentationContexts,
        int maxPduLength,
        String implementationClassUid,
        String implementationVersionName,
        List<RoleSelection> roleSelections) {

    public PresentationContext context(int id) {
        for (PresentationContext pc : presentationContexts) if (pc.id() == id) return pc;
        return null;
    }
}
