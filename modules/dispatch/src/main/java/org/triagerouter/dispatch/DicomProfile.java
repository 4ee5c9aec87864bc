package org.triagerouter.dispatch;

import java.time.Duration;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.TlsSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;

/**
 * How the router calls one DICOM destination, where it differs from the router's own SCU settings: the calling AE
 * title, TLS with the destination's own trust (and optional client key) material, host name checking, timeouts and
 * the transfer syntax preference. A null field keeps the router's value; {@link #DEFAULT} changes nothing (plain TCP).
 *
 * @param tls TLS to this destination, null for plain TCP (the listener's TLS settings never apply here)
 * @param verifyHostname with TLS, the destination's certificate must name the host or IP address configured
 */
public record DicomProfile(String callingAeTitle, TlsSettings tls, boolean verifyHostname, Duration connectTimeout, Duration dimseTimeout,
                           TransferSyntaxPreference transferSyntax) {
    public static final DicomProfile DEFAULT = new DicomProfile(null, null, true, null, null, TransferSyntaxPreference.OWN);

    public DicomProfile {
        if (transferSyntax == null) transferSyntax = TransferSyntaxPreference.OWN;
        if (tls != null && tls.trustStore() == null) {
            // Without one, any publicly issued certificate would pass for the PACS.
            throw new IllegalArgumentException("TLS needs a trust store holding the destination's certificate or CA");
        }
    }

    public boolean usesTls() { return tls != null; }

    /** The router's SCU settings with this destination's own values laid over them. */
    public ClientSettings clientSettings(ClientSettings router) {
        Duration dimse = dimseTimeout == null ? router.dimseTimeout() : dimseTimeout;
        return new ClientSettings(callingAeTitle == null ? router.callingAeTitle() : callingAeTitle,
                connectTimeout == null ? router.connectTimeout() : connectTimeout,
                dimseTimeout == null ? router.associationTimeout() : dimse, dimse, router.maxPduLength(), tls, verifyHostname, transferSyntax);
    }
}
