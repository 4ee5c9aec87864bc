package org.triagerouter.dicom.pixels;

/** An image the renderer cannot turn into pixels; the message is the reason a user sees. */
public class RenderException extends Exception {
    public RenderException(String message) { super(message); }

    public RenderException(String message, Throwable cause) { super(message, cause); }
}
