package org.triagerouter.dicom.file;

/**
 * The top-level Pixel Data element of a data set: where its value (or, encapsulated, its first item) starts (a file offset, or an offset in the
 * inflated data set for Deflated Explicit VR Little Endian), its length (0xFFFFFFFF when encapsulated) and its VR
 * (null in Implicit VR).
 */
public record PixelDataLocation(long position, long length, String vr) {
    public boolean encapsulated() { return length == 0xFFFFFFFFL; }
}
