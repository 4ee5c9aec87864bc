package org.triagerouter.dicom.pixels;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;

/**
 * Rows of a decoded frame (compressed syntaxes), read straight from the raster's data array where its layout
 * is the usual one, so no second full-size copy of the frame is made.
 */
final class RasterPixelRows implements PixelRows {
    private final Raster raster;
    private final Object data;
    private final int offset, scanlineStride, pixelStride;
    private int y;

    RasterPixelRows(Raster raster) {
        this.raster = raster;
        DataBuffer buffer = raster.getDataBuffer();
        Object direct = null;
        int off = 0, scan = 0, pixel = 0;
        if (raster.getSampleModel() instanceof ComponentSampleModel model && model.getNumBands() == 1 && buffer.getNumBanks() == 1) {
            direct = switch (buffer) {
                case DataBufferUShort b -> b.getData();
                case DataBufferShort b -> b.getData();
                case DataBufferByte b -> b.getData();
                case DataBufferInt b -> b.getData();
                default -> null;
            };
            int translateX = raster.getMinX() - raster.getSampleModelTranslateX();
            int translateY = raster.getMinY() - raster.getSampleModelTranslateY();
            scan = model.getScanlineStride();
            pixel = model.getPixelStride();
            off = buffer.getOffset() + model.getBandOffsets()[0] + translateY * scan + translateX * pixel;
        }
        this.data = direct;
        this.offset = off;
        this.scanlineStride = scan;
        this.pixelStride = pixel;
    }

    @Override
    public void next(int[] row) {
        int width = raster.getWidth();
        int p = offset + y * scanlineStride;
        switch (data) {
            case short[] s when raster.getDataBuffer() instanceof DataBufferUShort -> {
                for (int x = 0; x < width; x++, p += pixelStride) row[x] = s[p] & 0xFFFF;
            }
            case short[] s -> {
                for (int x = 0; x < width; x++, p += pixelStride) row[x] = s[p];
            }
            case byte[] b -> {
                for (int x = 0; x < width; x++, p += pixelStride) row[x] = b[p] & 0xFF;
            }
            case int[] i -> {
                for (int x = 0; x < width; x++, p += pixelStride) row[x] = i[p];
            }
            case null, default -> raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, row);
        }
        y++;
    }

    @Override
    public void rewind() {
        y = 0;
    }
}
