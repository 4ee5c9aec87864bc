package org.triagerouter.inference;

/**
 * A model that cannot be started: its file is missing or unreadable, it does not match its manifest,
 * or the requested execution provider is unavailable. Retrying will not help; fix the configuration.
 */
public class ModelOpenException extends Exception {
    public ModelOpenException(String message) { super(message); }

    public ModelOpenException(String message, Throwable cause) { super(message, cause); }
}
