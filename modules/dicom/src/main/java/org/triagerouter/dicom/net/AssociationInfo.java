package org.triagerouter.dicom.net;

import java.time.Instant;

/** Who is on the other end of an association, for handlers and logs. */
public record AssociationInfo(String id, String callingAeTitle, String calledAeTitle, String remoteAddress, Instant openedAt) {}
