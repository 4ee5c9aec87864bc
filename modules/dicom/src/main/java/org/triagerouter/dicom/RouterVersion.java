package org.triagerouter.dicom;

/** The router's release: what {@code triage-router --version} prints and what its SRs name as contributing software. */
public final class RouterVersion {
    private RouterVersion() {}

    public static final String VERSION = "0.1.0";
}
