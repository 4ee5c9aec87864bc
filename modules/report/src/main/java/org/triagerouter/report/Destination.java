package org.triagerouter.report;

import org.triagerouter.dicom.net.RemoteAe;

/** A PACS (or any C-STORE SCP) results are delivered to; {@code shadow} computes and records but never sends. */
public record Destination(String name, RemoteAe remote, boolean shadow) {}
