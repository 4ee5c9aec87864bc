package org.triagerouter.dicom.pixels;

import java.io.Closeable;
import java.io.IOException;

/** The stored values of an image's first frame, one row at a time, top to bottom, before masking to Bits Stored. */
interface PixelRows extends Closeable {
    /** Fills {@code row} (one value per column) with the next row. */
    void next(int[] row) throws IOException;

    /** Back to the first row: a second pass, when the window must first be measured from the pixels. */
    void rewind() throws IOException;

    @Override
    default void close() throws IOException {}
}
