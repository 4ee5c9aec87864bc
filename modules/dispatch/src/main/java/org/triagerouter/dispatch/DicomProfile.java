package org.triagerouter.dispatch;

import java.time.Duration;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.ClientTlsSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;

/**
 * How the router calls one DICOM destination, where it differs from the router's own SCU settings: the calling AE
 * title, TLS with the destination's own trust (and optional client key) material and host name check, timeouts and
 * the transfer syntax preference. A null field keeps the router's value; {@link #DEFAULT} changes nothing (plain TCP).
 *
 * @param tls TLS to this destination, null for plain TCP (the listener's TLS settings never apply here)
 */
public record DicomProfile(String callingAeTitle, ClientTlsSettings tls, Duration connectTimeout, Duration dimseTimeout,
                           TransferSyntaxPreference transferSyntax) {
    public static final DicomProfile DEFAULT = new DicomProfile(null, null, null, null, TransferSyntaxPreference.OWN);

    public DicomProfile {
        if (transferSyntax == null) transferSyntax = TransferSyntaxPreference.OWN;
    }

    public boolean usesTls() { return tls != null; }

    /** The router's SCU settings with this destination's own values laid over them; TLS only from the profile. */
    public ClientSettings clientSettings(ClientSettings router) {
        Duration dimse = dimseTimeout == null ? router.dimseTimeout() : dimseTimeout;
        return new ClientSettings(callingAeTitle == null ? router.callingAeTitle() : callingAeTitle,
                connectTimeout == null ? router.connectTimeout() : connectTimeout,
                dimseTimeout == null ? router.associationTimeout() : dimse, dimse, router.maxPduLength(), tls, transferSyntax);
    }
}
