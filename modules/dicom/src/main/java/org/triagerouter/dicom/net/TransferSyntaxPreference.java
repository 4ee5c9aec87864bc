package org.triagerouter.dicom.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.triagerouter.dicom.Uids;

/**
 * Which transfer syntaxes the SCU proposes for an object, each as a presentation context of its own, and in which
 * order it uses the ones a peer accepts: {@code own} sends the object as it is when it can (then Explicit, then
 * Implicit VR Little Endian); {@code explicit} and {@code implicit} send uncompressed, re-encoding when needed.
 */
public enum TransferSyntaxPreference {
    OWN, EXPLICIT, IMPLICIT;

    /** The syntaxes to propose and use for data encoded in {@code ownTransferSyntax}, most wanted first, no duplicates. */
    public List<String> order(String ownTransferSyntax) {
        List<String> order = new ArrayList<>(3);
        switch (this) {
            case OWN -> order.addAll(List.of(ownTransferSyntax, Uids.EXPLICIT_VR_LE, Uids.IMPLICIT_VR_LE));
            case EXPLICIT -> order.addAll(List.of(Uids.EXPLICIT_VR_LE, Uids.IMPLICIT_VR_LE));
            case IMPLICIT -> order.addAll(List.of(Uids.IMPLICIT_VR_LE, Uids.EXPLICIT_VR_LE));
        }
        return order.stream().distinct().toList();
    }

    /** {@code own}, {@code explicit} or {@code implicit}, any case. */
    public static TransferSyntaxPreference parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("transferSyntax must be own, explicit or implicit, got '" + text + "'");
        }
    }

    /** As written in the configuration. */
    public String key() { return name().toLowerCase(Locale.ROOT); }
}
