package org.triagerouter.prepare;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.triagerouter.dicom.pixels.Gray8Image;

/** The canonical image as PNG bytes: lossless, compact, readable by anything (the dashboard included). */
final class PngEncoder {
    private PngEncoder() {}

    static byte[] encode(Gray8Image image) throws IOException {
        BufferedImage png = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        png.getRaster().setDataElements(0, 0, image.width(), image.height(), image.pixels());
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.pixels().length / 2);
        if (!ImageIO.write(png, "png", out)) throw new IOException("no PNG writer");
        return out.toByteArray();
    }
}
