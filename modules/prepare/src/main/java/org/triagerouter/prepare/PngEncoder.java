package org.triagerouter.prepare;

import java.io.IOException;
import org.triagerouter.dicom.pixels.Gray8Image;
import org.triagerouter.dicom.pixels.PngImages;

/** The canonical image as PNG bytes: lossless, compact, readable by anything (the dashboard included). */
final class PngEncoder {
    private PngEncoder() {}

    static byte[] encode(Gray8Image image) throws IOException {
        return PngImages.encode(image);
    }
}
