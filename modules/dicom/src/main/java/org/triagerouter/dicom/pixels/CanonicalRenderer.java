package org.triagerouter.dicom.pixels;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.file.PixelDataLocation;

/**
 * Renders the first frame of a grayscale DICOM image to the canonical 8-bit image: stored values
 * masked to Bits Stored (sign-extended when signed), Rescale Slope/Intercept, then the VOI (Window
 * Center/Width, else the VOI LUT, else a robust percentile window), MONOCHROME1 inverted, Pixel
 * Padding shown black, the longest side capped by area averaging. Native pixel data is read row by row from
 * the file and reduced as it comes, so memory is the size of the output, not of the image; so is lossless JPEG
 * (the common subset, {@link JpegLosslessRows}). PixelMed decodes other compressed frames (through the ImageIO
 * codecs on the class path), and any lossless JPEG the streaming decoder refuses. The arithmetic is ours.
 */
public final class CanonicalRenderer {
    private static final AttributeTag VOI_LUT_FUNCTION = new AttributeTag(0x0028, 0x1056);
    private static final double LOW_PERCENTILE = 0.005;
    private static final double HIGH_PERCENTILE = 0.995;
    /** Syntaxes whose pixel data lies in the file as plain values: read in place, never decoded into a full frame. */
    private static final List<String> JPEG_LOSSLESS_SYNTAXES = List.of(Uids.JPEG_LOSSLESS_SV1, Uids.JPEG_LOSSLESS_NH14);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CanonicalRenderer.class);
    private static final List<String> NATIVE_SYNTAXES = List.of(Uids.EXPLICIT_VR_LE, Uids.IMPLICIT_VR_LE, Uids.EXPLICIT_VR_BE,
            Uids.DEFLATED_EXPLICIT_VR_LE);

    private CanonicalRenderer() {}

    public static Gray8Image render(Path file, int maxSide) throws RenderException {
        Part10Meta meta;
        try {
            meta = Part10.readMeta(file);
        } catch (IOException e) {
            throw new RenderException("unreadable file: " + e.getMessage(), e);
        }
        String transferSyntax = meta.transferSyntaxUid();
        if (!Uids.DECODABLE_TRANSFER_SYNTAXES.contains(transferSyntax)) {
            throw new RenderException("unsupported transfer syntax " + transferSyntax + " (no Java decoder; stored only)");
        }
        if (NATIVE_SYNTAXES.contains(transferSyntax)) {
            AttributeList header = readHeader(file, transferSyntax);
            try (PixelRows rows = streamedRows(file, meta, header)) {
                if (rows != null) {
                    return render(header, rows, Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0),
                            Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0), maxSide);
                }
            } catch (IOException e) {
                throw new RenderException("cannot read pixel data (" + transferSyntax + "): " + e.getMessage(), e);
            }
        }
        if (JPEG_LOSSLESS_SYNTAXES.contains(transferSyntax)) {
            AttributeList header = readHeader(file, transferSyntax);
            try (JpegLosslessRows rows = jpegLosslessRows(file, meta)) {
                if (rows != null) {
                    int columns = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0);
                    int height = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0);
                    // A frame header that disagrees with the data set's would have us decode padding for billions of samples.
                    if (rows.width() != columns || rows.height() != height) {
                        throw new RenderException("lossless JPEG frame is " + rows.width() + " x " + rows.height() + " but the image is "
                                + columns + " x " + height);
                    }
                    return render(header, rows, columns, height, maxSide);
                }
            } catch (IOException e) {
                // Outside the subset the streaming decoder reads, or malformed: the general codecs decide.
                log.debug("lossless JPEG left to PixelMed: {}", e.getMessage());
            }
        }
        return renderDecoded(file, transferSyntax, maxSide);
    }

    /** The first frame's lossless JPEG codestream, decoded as it is read; null when the pixel data is not encapsulated. */
    private static JpegLosslessRows jpegLosslessRows(Path file, Part10Meta meta) throws IOException {
        PixelDataLocation location = InstanceFiles.locatePixelData(file, meta);
        if (location == null || !location.encapsulated()) return null;
        return new JpegLosslessRows(() -> {
            InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
            try {
                in.skipNBytes(location.position());
                return new FragmentStream(in);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        });
    }

    /** Everything before Pixel Data, parsed by PixelMed: a few kilobytes whatever the image size. */
    private static AttributeList readHeader(Path file, String transferSyntax) throws RenderException {
        AttributeList list = new AttributeList();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 8192)) {
            list.read(new DicomInputStream(in), TagFromName.PixelData);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new RenderException("cannot read the header (" + transferSyntax + "): " + e.getMessage(), e);
        }
        checkGrayscale(list);
        return list;
    }

    /**
     * The native pixel data of a file, read where it lies; null for a layout left to PixelMed (1-bit, 8 bits in
     * a big-endian OW, 32-bit big-endian).
     */
    private static PixelRows streamedRows(Path file, Part10Meta meta, AttributeList header) throws RenderException, IOException {
        String transferSyntax = meta.transferSyntaxUid();
        int columns = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0);
        int rows = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0);
        int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 16);
        boolean bigEndian = Uids.EXPLICIT_VR_BE.equals(transferSyntax);
        PixelDataLocation location = InstanceFiles.locatePixelData(file, meta);
        if (location == null) throw new RenderException("no pixel data");
        if (location.encapsulated()) throw new RenderException("cannot decode pixel data (" + transferSyntax + "): encapsulated in a native syntax");
        boolean streamable = bitsAllocated == 16 || (bitsAllocated == 8 && !(bigEndian && "OW".equals(location.vr())))
                || (bitsAllocated == 32 && !bigEndian);
        if (!streamable) return null;
        if (columns <= 0 || rows <= 0) throw new RenderException("image has no rows or columns (" + rows + " x " + columns + ")");
        long needed = (long) columns * rows * (bitsAllocated / 8);
        if (location.length() < needed) {
            throw new RenderException("pixel data holds " + location.length() + " bytes, a " + columns + " x " + rows + " frame needs " + needed);
        }
        boolean deflated = Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntax);
        return new StreamedPixelRows(new StreamedPixelRows.Source(file, location.position(), meta.dataSetOffset(), deflated, bigEndian),
                columns, bitsAllocated);
    }

    /** Compressed syntaxes (and rare native layouts): PixelMed decodes the frame; its raster is read in place. */
    private static Gray8Image renderDecoded(Path file, String transferSyntax, int maxSide) throws RenderException {
        AttributeList list = new AttributeList();
        BufferedImage frame;
        try {
            list.read(file.toFile());
            checkGrayscale(list);
            if (list.get(TagFromName.PixelData) == null) {
                // PixelMed drops compressed pixel data its decoder rejects (and logs why); say which syntax failed.
                throw new RenderException(NATIVE_SYNTAXES.contains(transferSyntax)
                        ? "no pixel data" : "cannot decode pixel data (" + transferSyntax + "): the decoder found no image");
            }
            SourceImage source = new SourceImage(list);
            frame = source.getBufferedImage(0);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new RenderException("cannot decode pixel data (" + transferSyntax + "): " + e.getMessage(), e);
        }
        if (frame == null) throw new RenderException("cannot decode pixel data (" + transferSyntax + ")");
        Raster raster = frame.getRaster();
        try (PixelRows rows = new RasterPixelRows(raster)) {
            return render(list, rows, raster.getWidth(), raster.getHeight(), maxSide);
        } catch (IOException e) {
            throw new RenderException("cannot read pixel data (" + transferSyntax + "): " + e.getMessage(), e);
        }
    }

    private static void checkGrayscale(AttributeList list) throws RenderException {
        if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1) != 1) {
            throw new RenderException("not a grayscale image (" + Attribute.getSingleStringValueOrEmptyString(list,
                    TagFromName.PhotometricInterpretation) + ")");
        }
    }

    /** One pass over the rows (two when the window comes from the pixels): display values into the area reduction. */
    private static Gray8Image render(AttributeList list, PixelRows rows, int width, int height, int maxSide) throws RenderException, IOException {
        StoredValues stored = new StoredValues(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, 16),
                Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1);

        Attribute paddingAttribute = list.get(TagFromName.PixelPaddingValue);
        boolean hasPadding = paddingAttribute != null && paddingAttribute.getVM() > 0;
        int padding = hasPadding ? stored.value(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelPaddingValue, 0)) : 0;

        double slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
        double intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
        if (slope == 0) slope = 1;

        DoubleUnaryOperator voi;
        double center, windowWidth;
        String windowSource;
        double[] windowCenters = Attribute.getDoubleValues(list, TagFromName.WindowCenter);
        double[] windowWidths = Attribute.getDoubleValues(list, TagFromName.WindowWidth);
        VoiLut voiLut = VoiLut.from(list, stored.signed());
        if (windowCenters != null && windowWidths != null && windowCenters.length > 0 && windowWidths.length > 0 && windowWidths[0] > 0) {
            VoiWindow window = new VoiWindow(windowCenters[0], windowWidths[0],
                    Attribute.getSingleStringValueOrDefault(list, VOI_LUT_FUNCTION, "LINEAR").trim());
            voi = window::apply;
            center = window.center();
            windowWidth = window.width();
            windowSource = "header";
        } else if (voiLut != null) {
            voi = voiLut::apply;
            center = Double.NaN;
            windowWidth = Double.NaN;
            windowSource = "voi-lut";
        } else {
            double[] range = percentileRange(rows, width, height, stored, hasPadding, padding, slope, intercept);
            rows.rewind();
            VoiWindow window = new VoiWindow((range[0] + range[1]) / 2 + 0.5, Math.max(1, range[1] - range[0] + 1), "LINEAR");
            voi = window::apply;
            center = window.center();
            windowWidth = window.width();
            windowSource = "percentile";
        }
        boolean monochrome1 = "MONOCHROME1".equals(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation).trim());
        DisplayMapping mapping = new DisplayMapping(stored, slope, intercept, voi, monochrome1, hasPadding, padding);

        int longest = Math.max(width, height);
        int newWidth = width, newHeight = height;
        if (longest > maxSide) {
            newWidth = Math.max(1, (int) Math.round((double) width * maxSide / longest));
            newHeight = Math.max(1, (int) Math.round((double) height * maxSide / longest));
        }
        StreamingAreaDownscale downscale = new StreamingAreaDownscale(width, height, newWidth, newHeight);
        int[] raw = new int[width];
        float[] display = new float[width];
        for (int y = 0; y < height; y++) {
            rows.next(raw);
            mapping.apply(raw, display, width);
            downscale.add(display);
        }
        return new Gray8Image(newWidth, newHeight, downscale.pixels(), width, height, center, windowWidth, windowSource);
    }

    /** The 0.5th and 99.5th percentile of modality values, padding excluded. */
    private static double[] percentileRange(PixelRows rows, int width, int height, StoredValues stored, boolean hasPadding, int padding,
                                            double slope, double intercept) throws RenderException, IOException {
        int[] row = new int[width];
        int min, max;
        if (stored.fitsTable()) {
            min = stored.min();
            max = min + (1 << stored.bitsStored()) - 1;
        } else {
            // Wider values: a first pass finds the range the histogram must cover.
            min = Integer.MAX_VALUE;
            max = Integer.MIN_VALUE;
            for (int y = 0; y < height; y++) {
                rows.next(row);
                for (int x = 0; x < width; x++) {
                    int v = stored.value(row[x]);
                    if (hasPadding && v == padding) continue;
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
            }
            if (min > max) throw new RenderException("image holds only padding");
            if ((long) max - min > 1 << 24) throw new RenderException("stored value range too wide for a histogram");
            rows.rewind();
        }
        int[] histogram = new int[max - min + 1];
        long count = 0;
        for (int y = 0; y < height; y++) {
            rows.next(row);
            for (int x = 0; x < width; x++) {
                int v = stored.value(row[x]);
                if (hasPadding && v == padding) continue;
                histogram[v - min]++;
                count++;
            }
        }
        if (count == 0) throw new RenderException("image holds only padding");
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
