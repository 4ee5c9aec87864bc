package org.triagerouter.dicom.pixels;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** The canonical image as stored (an 8-bit grayscale PNG) back into a {@link Gray8Image}, e.g. for the result image. */
public final class PngImages {
    private PngImages() {}

    public static Gray8Image decode(byte[] png) throws IOException {
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
        if (read == null) throw new IOException("not a PNG image");
        BufferedImage gray = read;
        if (read.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            gray = new BufferedImage(read.getWidth(), read.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            gray.getGraphics().drawImage(read, 0, 0, null);
        }
        byte[] pixels = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        return new Gray8Image(gray.getWidth(), gray.getHeight(), pixels.clone(), gray.getWidth(), gray.getHeight(), Double.NaN, Double.NaN, "png");
    }
}
