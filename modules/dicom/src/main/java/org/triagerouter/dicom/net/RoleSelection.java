package org.triagerouter.dicom.net;

/** SCP/SCU role selection sub-item (PS3.7 D.3.3.4). */
public record RoleSelection(String sopClassUid, boolean scu, boolean scp) {}
