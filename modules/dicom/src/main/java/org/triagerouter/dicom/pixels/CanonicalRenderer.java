package org.triagerouter.dicom.pixels;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.Part10;

/**
 * Renders the first frame of a grayscale DICOM image to the canonical 8-bit image: stored values
 * masked to Bits Stored (sign-extended when signed), Rescale Slope/Intercept, then the VOI (Window
 * Center/Width, else the VOI LUT, else a robust percentile window), MONOCHROME1 inverted, Pixel
 * Padding shown black, the longest side capped by area averaging. PixelMed parses and decompresses
 * (through the ImageIO codecs on the class path); the arithmetic is ours.
 */
public final class CanonicalRenderer {
    private static final AttributeTag VOI_LUT_FUNCTION = new AttributeTag(0x0028, 0x1056);
    private static final double LOW_PERCENTILE = 0.005;
    private static final double HIGH_PERCENTILE = 0.995;

    private CanonicalRenderer() {}

    public static Gray8Image render(Path file, int maxSide) throws RenderException {
        String transferSyntax;
        try {
            transferSyntax = Part10.readMeta(file).transferSyntaxUid();
        } catch (IOException e) {
            throw new RenderException("unreadable file: " + e.getMessage(), e);
        }
        if (!Uids.DECODABLE_TRANSFER_SYNTAXES.contains(transferSyntax)) {
            throw new RenderException("unsupported transfer syntax " + transferSyntax + " (no Java decoder; stored only)");
        }
        AttributeList list = new AttributeList();
        BufferedImage frame;
        try {
            list.read(file.toFile());
            if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1) != 1) {
                throw new RenderException("not a grayscale image (" + Attribute.getSingleStringValueOrEmptyString(list,
                        TagFromName.PhotometricInterpretation) + ")");
            }
            if (list.get(TagFromName.PixelData) == null) {
                // PixelMed drops compressed pixel data its decoder rejects (and logs why); say which syntax failed.
                throw new RenderException(Uids.UNCOMPRESSED_TRANSFER_SYNTAXES.contains(transferSyntax) || Uids.EXPLICIT_VR_BE.equals(transferSyntax)
                        ? "no pixel data" : "cannot decode pixel data (" + transferSyntax + "): the decoder found no image");
            }
            SourceImage source = new SourceImage(list);
            frame = source.getBufferedImage(0);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new RenderException("cannot decode pixel data (" + transferSyntax + "): " + e.getMessage(), e);
        }
        if (frame == null) throw new RenderException("cannot decode pixel data (" + transferSyntax + ")");
        return render(list, frame.getRaster(), maxSide);
    }

    private static Gray8Image render(AttributeList list, Raster raster, int maxSide) throws RenderException {
        int width = raster.getWidth(), height = raster.getHeight();
        int[] stored = raster.getSamples(0, 0, width, height, 0, (int[]) null);
        int bitsStored = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, 16);
        boolean signed = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
        maskToBitsStored(stored, bitsStored, signed);

        Attribute paddingAttribute = list.get(TagFromName.PixelPaddingValue);
        boolean hasPadding = paddingAttribute != null && paddingAttribute.getVM() > 0;
        int padding = hasPadding ? maskOne(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelPaddingValue, 0), bitsStored, signed) : 0;

        double slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
        double intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
        if (slope == 0) slope = 1;

        float[] display = new float[stored.length];
        double center, windowWidth;
        String windowSource;
        double[] windowCenters = Attribute.getDoubleValues(list, TagFromName.WindowCenter);
        double[] windowWidths = Attribute.getDoubleValues(list, TagFromName.WindowWidth);
        VoiLut voiLut = VoiLut.from(list, signed);
        if (windowCenters != null && windowWidths != null && windowCenters.length > 0 && windowWidths.length > 0 && windowWidths[0] > 0) {
            VoiWindow window = new VoiWindow(windowCenters[0], windowWidths[0],
                    Attribute.getSingleStringValueOrDefault(list, VOI_LUT_FUNCTION, "LINEAR").trim());
            for (int i = 0; i < stored.length; i++) display[i] = (float) window.apply(stored[i] * slope + intercept);
            center = window.center();
            windowWidth = window.width();
            windowSource = "header";
        } else if (voiLut != null) {
            for (int i = 0; i < stored.length; i++) display[i] = (float) voiLut.apply(stored[i] * slope + intercept);
            center = Double.NaN;
            windowWidth = Double.NaN;
            windowSource = "voi-lut";
        } else {
            double[] range = percentileRange(stored, hasPadding, padding, slope, intercept);
            VoiWindow window = new VoiWindow((range[0] + range[1]) / 2 + 0.5, Math.max(1, range[1] - range[0] + 1), "LINEAR");
            for (int i = 0; i < stored.length; i++) display[i] = (float) window.apply(stored[i] * slope + intercept);
            center = window.center();
            windowWidth = window.width();
            windowSource = "percentile";
        }
        boolean monochrome1 = "MONOCHROME1".equals(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation).trim());
        for (int i = 0; i < display.length; i++) {
            if (monochrome1) display[i] = 255 - display[i];
            if (hasPadding && stored[i] == padding) display[i] = 0; // padding is "no image": black
        }
        int longest = Math.max(width, height);
        int newWidth = width, newHeight = height;
        if (longest > maxSide) {
            newWidth = Math.max(1, (int) Math.round((double) width * maxSide / longest));
            newHeight = Math.max(1, (int) Math.round((double) height * maxSide / longest));
        }
        float[] scaled = AreaDownscale.resize(display, width, height, newWidth, newHeight);
        byte[] pixels = new byte[scaled.length];
        for (int i = 0; i < scaled.length; i++) pixels[i] = (byte) Math.max(0, Math.min(255, Math.round(scaled[i])));
        return new Gray8Image(newWidth, newHeight, pixels, width, height, center, windowWidth, windowSource);
    }

    /** High bits above Bits Stored may hold overlays or garbage; signed values are sign-extended from Bits Stored. */
    private static void maskToBitsStored(int[] values, int bitsStored, boolean signed) {
        if (bitsStored <= 0 || bitsStored >= 32) return;
        for (int i = 0; i < values.length; i++) values[i] = maskOne(values[i], bitsStored, signed);
    }

    private static int maskOne(int value, int bitsStored, boolean signed) {
        int shift = 32 - bitsStored;
        return signed ? (value << shift) >> shift : value & ((1 << bitsStored) - 1);
    }

    /** The 0.5th and 99.5th percentile of modality values, padding excluded. */
    private static double[] percentileRange(int[] stored, boolean hasPadding, int padding, double slope, double intercept) throws RenderException {
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (int v : stored) {
            if (hasPadding && v == padding) continue;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (min > max) throw new RenderException("image holds only padding");
        if ((long) max - min > 1 << 24) throw new RenderException("stored value range too wide for a histogram");
        int[] histogram = new int[max - min + 1];
        int count = 0;
        for (int v : stored) {
            if (hasPadding && v == padding) continue;
            histogram[v - min]++;
            count++;
        }
        int low = valueAt(histogram, min, (long) Math.ceil(count * LOW_PERCENTILE));
        int high = valueAt(histogram, min, (long) Math.ceil(count * HIGH_PERCENTILE));
        double a = low * slope + intercept, b = high * slope + intercept;
        return new double[] {Math.min(a, b), Math.max(a, b)};
    }

    private static int valueAt(int[] histogram, int min, long rank) {
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= Math.max(1, rank)) return min + i;
        }
        return min + histogram.length - 1;
    }

    /** The first VOI LUT of the VOI LUT Sequence (PS3.3 C.11.2): descriptor and data, scaled to 8 bits. */
    private record VoiLut(int entries, int firstMapped, int bits, int[] data) {
        /** The first mapped value is signed only when the pixels are (PS3.3 C.11.2.1.1). */
        static VoiLut from(AttributeList list, boolean signedPixels) {
            Attribute sequence = list.get(TagFromName.VOILUTSequence);
            if (!(sequence instanceof SequenceAttribute s) || s.getNumberOfItems() == 0) return null;
            AttributeList item = s.getItem(0).getAttributeList();
            try {
                int[] descriptor = Attribute.getIntegerValues(item, TagFromName.LUTDescriptor);
                Attribute lutData = item.get(TagFromName.LUTData);
                if (descriptor == null || descriptor.length < 3 || lutData == null) return null;
                int entries = descriptor[0] == 0 ? 65536 : descriptor[0] & 0xFFFF;
                int[] data = new int[entries];
                short[] words = lutData.getShortValues();
                for (int i = 0; i < entries && i < words.length; i++) data[i] = words[i] & 0xFFFF;
                int firstMapped = signedPixels ? (short) descriptor[1] : descriptor[1] & 0xFFFF;
                return new VoiLut(entries, firstMapped, Math.max(1, descriptor[2]), data);
            } catch (DicomException e) {
                return null;
            }
        }

        double apply(double x) {
            int index = (int) Math.max(0, Math.min(entries - 1, Math.round(x) - firstMapped));
            return data[index] * 255.0 / ((1 << bits) - 1);
        }
    }
}
