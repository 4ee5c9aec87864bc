package org.triagerouter.dicom.net;

/** The peer sent A-ABORT (PS3.8 9.3.8). */
public class PeerAbortedException extends DicomNetworkException {
    public PeerAbortedException(int source, int reason) {
        super("association aborted by peer (source " + source + ", reason " + reason + ")");
    }
}
