package org.triagerouter.dicom.net;

import java.time.Duration;

/**
 * How the router calls a peer as SCU.
 *
 * @param connectTimeout TCP connect
 * @param associationTimeout waiting for A-ASSOCIATE-AC/RJ and A-RELEASE-RP (ARTIM)
 * @param dimseTimeout waiting for a DIMSE response once a request is sent
 * @param maxPduLength the largest P-DATA-TF we accept from the peer
 * @param tls null for plain TCP
 * @param transferSyntax which transfer syntaxes are proposed and used for what is stored
 */
public record ClientSettings(String callingAeTitle, Duration connectTimeout, Duration associationTimeout,
                             Duration dimseTimeout, int maxPduLength, ClientTlsSettings tls, TransferSyntaxPreference transferSyntax) {

    public ClientSettings {
        if (transferSyntax == null) transferSyntax = TransferSyntaxPreference.OWN;
    }

    /** Objects sent as they are when the peer accepts that. */
    public ClientSettings(String callingAeTitle, Duration connectTimeout, Duration associationTimeout,
                          Duration dimseTimeout, int maxPduLength, ClientTlsSettings tls) {
        this(callingAeTitle, connectTimeout, associationTimeout, dimseTimeout, maxPduLength, tls, TransferSyntaxPreference.OWN);
    }

    public static ClientSettings defaults(String callingAeTitle) {
        return new ClientSettings(callingAeTitle, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
                ServerSettings.DEFAULT_MAX_PDU_LENGTH, null);
    }

    public ClientSettings withDimseTimeout(Duration timeout) {
        return new ClientSettings(callingAeTitle, connectTimeout, associationTimeout, timeout, maxPduLength, tls, transferSyntax);
    }

    public ClientSettings withTls(ClientTlsSettings tlsSettings) {
        return new ClientSettings(callingAeTitle, connectTimeout, associationTimeout, dimseTimeout, maxPduLength, tlsSettings, transferSyntax);
    }

    public ClientSettings withTransferSyntax(TransferSyntaxPreference preference) {
        return new ClientSettings(callingAeTitle, connectTimeout, associationTimeout, dimseTimeout, maxPduLength, tls, preference);
    }
}
