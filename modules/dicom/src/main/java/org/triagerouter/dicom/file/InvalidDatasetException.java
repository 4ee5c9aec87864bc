package org.triagerouter.dicom.file;

import java.io.IOException;

/** A received data set that cannot be stored: cut short, or not a well-formed DICOM data set. */
public class InvalidDatasetException extends IOException {
    public final boolean truncated;

    public InvalidDatasetException(String message, boolean truncated) {
        super(message);
        this.truncated = truncated;
    }
}
