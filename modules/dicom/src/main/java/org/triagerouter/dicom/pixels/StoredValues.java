package org.triagerouter.dicom.pixels;

/**
 * Stored values as Bits Stored defines them: the high bits above it may hold overlays or garbage and are
 * dropped; signed values are sign-extended from Bits Stored. Out-of-range Bits Stored leaves values as they are.
 */
record StoredValues(int bitsStored, boolean signed) {
    boolean masked() { return bitsStored > 0 && bitsStored < 32; }

    int value(int raw) {
        if (!masked()) return raw;
        int shift = 32 - bitsStored;
        return signed ? (raw << shift) >> shift : raw & ((1 << bitsStored) - 1);
    }

    /** The smallest value there can be, and how many there are, when a table of every value is small enough. */
    int min() { return signed ? -(1 << (bitsStored - 1)) : 0; }

    boolean fitsTable() { return masked() && bitsStored <= 16; }
}
