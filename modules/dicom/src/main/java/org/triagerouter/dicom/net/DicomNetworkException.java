package org.triagerouter.dicom.net;

import java.io.IOException;

/** A DICOM upper-layer or DIMSE failure: a reject, an abort, a timeout or a protocol error. */
public class DicomNetworkException extends IOException {
    public DicomNetworkException(String message) { super(message); }

    public DicomNetworkException(String message, Throwable cause) { super(message, cause); }
}
