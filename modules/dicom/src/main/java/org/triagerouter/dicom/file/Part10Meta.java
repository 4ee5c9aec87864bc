package org.triagerouter.dicom.file;

/** What a Part 10 file's meta group says, and where its data set starts. */
public record Part10Meta(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, long dataSetOffset) {}
