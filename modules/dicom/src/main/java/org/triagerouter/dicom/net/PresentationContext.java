package org.triagerouter.dicom.net;

import java.util.List;

/**
 * One presentation context of an association. In a request it carries the proposed transfer
 * syntaxes; in an accept, the result and the single transfer syntax chosen.
 */
public record PresentationContext(int id, String abstractSyntax, List<String> transferSyntaxes, int result) {
    public static final int ACCEPTANCE = 0;
    public static final int USER_REJECTION = 1;
    public static final int NO_REASON = 2;
    public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    public static PresentationContext proposed(int id, String abstractSyntax, List<String> transferSyntaxes) {
        return new PresentationContext(id, abstractSyntax, List.copyOf(transferSyntaxes), ACCEPTANCE);
    }

    public static PresentationContext accepted(int id, String abstractSyntax, String transferSyntax) {
        return new PresentationContext(id, abstractSyntax, List.of(transferSyntax), ACCEPTANCE);
    }

    public static PresentationContext rejected(int id, String abstractSyntax, int result) {
        // A rejected context still carries a transfer syntax sub-item, whose value is not significant.
        return new PresentationContext(id, abstractSyntax, List.of(org.triagerouter.dicom.Uids.IMPLICIT_VR_LE), result);
    }

    public boolean isAccepted() { return result == ACCEPTANCE; }

    public String transferSyntax() { return transferSyntaxes.get(0); }
}
