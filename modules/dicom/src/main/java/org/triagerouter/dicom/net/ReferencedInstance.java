package org.triagerouter.dicom.net;

/** A SOP instance named in a Storage Commitment request or result: an item of (0008,1199) or (0008,1198). */
public record ReferencedInstance(String sopClassUid, String sopInstanceUid) {}
