package org.triagerouter.dicom.pixels;

/**
 * The canonical image the model sees: 8-bit grayscale, 0 black, row-major, with how it was windowed.
 *
 * @param windowSource {@code header} (Window Center/Width), {@code voi-lut}, or {@code percentile} when the file had none
 */
public record Gray8Image(int width, int height, byte[] pixels, int sourceWidth, int sourceHeight,
                         double windowCenter, double windowWidth, String windowSource) {}
