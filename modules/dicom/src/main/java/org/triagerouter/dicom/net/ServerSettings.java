package org.triagerouter.dicom.net;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How the store SCP listens and what it accepts.
 *
 * @param allowedCallingAeTitles empty means any calling AE title is accepted
 * @param imageTransferSyntaxes accepted for storage SOP classes, in preference order when the SCU gives none
 * @param maxPduLength the largest P-DATA-TF we accept; sent to the peer in A-ASSOCIATE-AC
 * @param artimTimeout how long a new connection may take to send its A-ASSOCIATE-RQ, and a released one to close
 * @param idleTimeout how long an association may stay silent before it is aborted
 * @param incomingDirectory where data sets are streamed while they arrive (same filesystem as the spool)
 * @param tls null for plain TCP
 * @param senders known senders by calling AE title, each with its own host binding, SOP classes and transfer syntaxes;
 *                any other calling AE title is treated as before (the allow-list, then the defaults)
 * @param extraStorageSopClasses storage SOP classes accepted besides the standard ones (PS3.4 Annex B), e.g. a vendor's private CR
 */
public record ServerSettings(
        String aeTitle,
        String bindAddress,
        int port,
        Set<String> allowedCallingAeTitles,
        List<String> imageTransferSyntaxes,
        int maxPduLength,
        int maxAssociations,
        Duration artimTimeout,
        Duration idleTimeout,
        Path incomingDirectory,
        TlsSettings tls,
        List<SenderProfile> senders,
        Set<String> extraStorageSopClasses) {

    public static final int DEFAULT_MAX_PDU_LENGTH = 1 << 20;
    public static final int MIN_PDU_LENGTH = 4096;
    public static final int MAX_PDU_LENGTH = 16 << 20;

    public ServerSettings {
        if (aeTitle == null || aeTitle.isBlank() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1 to 16 characters: '" + aeTitle + "'");
        }
        String problem = aeTitle.equals(aeTitle.strip()) ? AeTitleCheck.problem(aeTitle) : "has leading or trailing spaces";
        if (problem != null) throw new IllegalArgumentException("AE title " + AeTitleCheck.printable(aeTitle) + " " + problem);
        if (maxPduLength < MIN_PDU_LENGTH || maxPduLength > MAX_PDU_LENGTH) {
            throw new IllegalArgumentException("max PDU length must be between " + MIN_PDU_LENGTH + " and " + MAX_PDU_LENGTH);
        }
        if (maxAssociations < 1) throw new IllegalArgumentException("max associations must be at least 1");
        allowedCallingAeTitles = Set.copyOf(allowedCallingAeTitles);
        imageTransferSyntaxes = List.copyOf(imageTransferSyntaxes);
        senders = List.copyOf(senders);
        extraStorageSopClasses = Set.copyOf(extraStorageSopClasses);
        Set<String> seen = new java.util.HashSet<>();
        for (SenderProfile sender : senders) {
            if (!seen.add(sender.aeTitle())) throw new IllegalArgumentException("sender AE title '" + sender.aeTitle() + "' is listed twice");
        }
    }

    /** Without sender profiles or extra SOP classes: every calling AE title is treated alike. */
    public ServerSettings(String aeTitle, String bindAddress, int port, Set<String> allowedCallingAeTitles, List<String> imageTransferSyntaxes,
                          int maxPduLength, int maxAssociations, Duration artimTimeout, Duration idleTimeout, Path incomingDirectory,
                          TlsSettings tls) {
        this(aeTitle, bindAddress, port, allowedCallingAeTitles, imageTransferSyntaxes, maxPduLength, maxAssociations, artimTimeout,
                idleTimeout, incomingDirectory, tls, List.of(), Set.of());
    }

    /** The profile of a known sender, or null. */
    public SenderProfile sender(String callingAeTitle) {
        for (SenderProfile s : senders) if (s.aeTitle().equals(callingAeTitle)) return s;
        return null;
    }
}
