package org.triagerouter.dicom.pixels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.testing.ExternalTool;

/**
 * The streamed rendering of native pixel data (read row by row from the file, reduced as it comes) against a
 * reference computed the plain way here: every pixel masked, rescaled, windowed and inverted into a full float
 * image, then {@link AreaDownscale#resize}. Bytes must be identical, for sizes that are no multiple of the
 * reduction, 8 and 16 bits, signed and unsigned, and garbage above Bits Stored.
 */
class StreamedRenderingTest {
    @TempDir
    static Path dir;

    /** One synthetic image: its pixel module and how it is to be windowed. */
    record Image(String name, int columns, int rows, int bitsAllocated, int bitsStored, boolean signed, boolean monochrome1,
                 double slope, double intercept, double[] window, int[] voiLut, Integer padding, int maxSide) {
        @Override
        public String toString() { return name; }
    }

    static List<Arguments> images() {
        return List.of(
                Arguments.of(new Image("16-bit unsigned, 12 stored, MONOCHROME1, rescale, window", 333, 251, 16, 12, false, true,
                        2, -1000, new double[] {2500, 5000}, null, null, 100)),
                Arguments.of(new Image("16-bit signed, 14 stored, rescale, VOI LUT", 257, 199, 16, 14, true, false,
                        0.5, 100, null, new int[] {1024, -2000, 12}, null, 64)),
                Arguments.of(new Image("16-bit signed, 16 stored, MONOCHROME1, window, padding, no reduction", 63, 47, 16, 16, true, true,
                        1, -1024, new double[] {40, 400}, null, -2000, 1024)),
                Arguments.of(new Image("8-bit unsigned, 7 stored, MONOCHROME1, window", 101, 77, 8, 7, false, true,
                        1, 0, new double[] {64, 100}, null, null, 50)),
                Arguments.of(new Image("8-bit signed, percentile window", 99, 131, 8, 8, true, false,
                        3, 7, null, null, null, 40)),
                Arguments.of(new Image("16-bit unsigned, 10 stored, percentile window, padding", 211, 307, 16, 10, false, false,
                        1, 0, null, null, 0, 97)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void streamedRenderingEqualsTheFullImageReference(Image image) throws Exception {
        int[] raw = rawValues(image);
        Path file = write(image, raw, image.name().replaceAll("[^a-z0-9]+", "-") + ".dcm");
        Gray8Image ours = CanonicalRenderer.render(file, image.maxSide());
        byte[] expected = reference(image, raw, ours.width(), ours.height());
        int longest = Math.max(image.columns(), image.rows());
        assertEquals(Math.min(longest, image.maxSide()), Math.max(ours.width(), ours.height()));
        assertEquals(image.columns(), ours.sourceWidth());
        assertArrayEquals(expected, ours.pixels());
    }

    @Test
    void everyNativeSyntaxRendersTheSameBytes() throws Exception {
        for (Arguments args : images()) {
            Image image = (Image) args.get()[0];
            if (image.bitsAllocated() == 8 && image.signed()) continue; // one 8-bit case is enough; dcmconv rewrites both alike
            Path file = write(image, rawValues(image), "syntax-source.dcm");
            byte[] explicit = CanonicalRenderer.render(file, image.maxSide()).pixels();
            for (String option : List.of("+ti", "+tb", "+td")) {
                Path converted = dir.resolve("syntax" + option + ".dcm");
                ExternalTool.Result r = ExternalTool.run("dcmconv", option, file.toString(), converted.toString());
                assertEquals(0, r.exitCode(), r.output());
                assertArrayEquals(explicit, CanonicalRenderer.render(converted, image.maxSide()).pixels(), image + " " + option);
            }
        }
    }

    @Test
    void monochrome1WithRescaleAndGarbageHighBitsMatchesDcmtk() throws Exception {
        Image image = (Image) images().get(0).get()[0];
        Path file = write(image, rawValues(image), "against-dcmtk.dcm");
        Gray8Image ours = CanonicalRenderer.render(file, 100_000);
        Path png = dir.resolve("dcmtk.png");
        ExternalTool.Result r = ExternalTool.run("dcmj2pnm", "+Wi", "1", "+on", file.toString(), png.toString());
        assertEquals(0, r.exitCode(), r.output());
        BufferedImage theirs = ImageIO.read(png.toFile());
        int[] reference = theirs.getRaster().getSamples(0, 0, ours.width(), ours.height(), 0, (int[]) null);
        int max = 0;
        for (int i = 0; i < reference.length; i++) max = Math.max(max, Math.abs((ours.pixels()[i] & 0xFF) - reference[i]));
        assertTrue(max <= 1, "largest difference from dcmj2pnm: " + max);
    }

    @Test
    void pixelDataShorterThanTheFrameFailsWithItsReason() throws Exception {
        Image image = (Image) images().get(0).get()[0];
        Image taller = new Image("taller", image.columns(), image.rows() + 5, 16, 12, false, true, 2, -1000, image.window(), null, null, 100);
        Path lying = write(taller, Arrays.copyOf(rawValues(image), image.columns() * image.rows()), "lying.dcm");
        RenderException e = org.junit.jupiter.api.Assertions.assertThrows(RenderException.class, () -> CanonicalRenderer.render(lying, 100));
        assertEquals("pixel data holds " + 2 * image.columns() * image.rows() + " bytes, a 333 x 256 frame needs " + 2 * 333 * 256,
                e.getMessage());
    }

    /** Stored values over the whole range, with random bits above Bits Stored (overlays, garbage). */
    static int[] rawValues(Image image) {
        Random random = new Random(image.name().hashCode());
        int[] raw = new int[image.columns() * image.rows()];
        int range = 1 << image.bitsStored();
        for (int y = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                // A smooth ramp plus noise, so windows and reductions have something to average.
                int value = (int) ((double) (x + 2 * y) / (image.columns() + 2 * image.rows()) * range) + random.nextInt(17) - 8;
                value = Math.floorMod(value, range);
                int garbage = image.bitsStored() < image.bitsAllocated() ? random.nextInt(1 << (image.bitsAllocated() - image.bitsStored())) : 0;
                raw[y * image.columns() + x] = garbage << image.bitsStored() | value;
            }
        }
        if (image.padding() != null) {
            int stored = image.padding() & ((1 << image.bitsStored()) - 1);
            for (int y = 0; y < image.rows(); y++) for (int x = 0; x < image.columns() / 7; x++) raw[y * image.columns() + x] = stored;
        }
        return raw;
    }

    private static Path write(Image image, int[] raw, String name) throws Exception {
        return write(dir, image, raw, name);
    }

    static Path write(Path directory, Image image, int[] raw, String name) throws Exception {
        AttributeList list = new AttributeList();
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), Uids.SECONDARY_CAPTURE);
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), Uids.newUid());
        put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), Uids.newUid());
        put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), Uids.newUid());
        put(list, new CodeStringAttribute(TagFromName.Modality), "OT");
        put(list, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "1");
        put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), image.monochrome1() ? "MONOCHROME1" : "MONOCHROME2");
        put(list, new UnsignedShortAttribute(TagFromName.Rows), String.valueOf(image.rows()));
        put(list, new UnsignedShortAttribute(TagFromName.Columns), String.valueOf(image.columns()));
        put(list, new UnsignedShortAttribute(TagFromName.BitsAllocated), String.valueOf(image.bitsAllocated()));
        put(list, new UnsignedShortAttribute(TagFromName.BitsStored), String.valueOf(image.bitsStored()));
        put(list, new UnsignedShortAttribute(TagFromName.HighBit), String.valueOf(image.bitsStored() - 1));
        put(list, new UnsignedShortAttribute(TagFromName.PixelRepresentation), image.signed() ? "1" : "0");
        put(list, new DecimalStringAttribute(TagFromName.RescaleSlope), String.valueOf(image.slope()));
        put(list, new DecimalStringAttribute(TagFromName.RescaleIntercept), String.valueOf(image.intercept()));
        if (image.window() != null) {
            put(list, new DecimalStringAttribute(TagFromName.WindowCenter), String.valueOf(image.window()[0]));
            put(list, new DecimalStringAttribute(TagFromName.WindowWidth), String.valueOf(image.window()[1]));
        }
        if (image.padding() != null) {
            Attribute padding = image.signed() ? new com.pixelmed.dicom.SignedShortAttribute(TagFromName.PixelPaddingValue)
                    : new UnsignedShortAttribute(TagFromName.PixelPaddingValue);
            put(list, padding, String.valueOf(image.padding()));
        }
        if (image.voiLut() != null) {
            AttributeList item = new AttributeList();
            int[] d = image.voiLut();
            Attribute descriptor = new UnsignedShortAttribute(TagFromName.LUTDescriptor);
            descriptor.addValue(d[0]);
            descriptor.addValue(d[1] & 0xFFFF);
            descriptor.addValue(d[2]);
            item.put(descriptor);
            OtherWordAttribute data = new OtherWordAttribute(TagFromName.LUTData);
            short[] entries = new short[d[0]];
            for (int i = 0; i < entries.length; i++) entries[i] = (short) lutEntry(i, d[0], d[2]);
            data.setValues(entries);
            item.put(data);
            SequenceAttribute sequence = new SequenceAttribute(TagFromName.VOILUTSequence);
            sequence.addItem(item);
            list.put(sequence);
        }
        if (image.bitsAllocated() == 8) {
            OtherByteAttribute pixels = new OtherByteAttribute(TagFromName.PixelData);
            byte[] bytes = new byte[raw.length];
            for (int i = 0; i < raw.length; i++) bytes[i] = (byte) raw[i];
            pixels.setValues(bytes);
            list.put(pixels);
        } else {
            OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
            short[] words = new short[raw.length];
            for (int i = 0; i < raw.length; i++) words[i] = (short) raw[i];
            pixels.setValues(words);
            list.put(pixels);
        }
        FileMetaInformation.addFileMetaInformation(list, Uids.EXPLICIT_VR_LE, "TRIAGE_TEST");
        Path file = directory.resolve(name);
        list.write(file.toFile(), Uids.EXPLICIT_VR_LE, true, true);
        return file;
    }

    /** A non-linear (square-root) VOI LUT. */
    private static int lutEntry(int i, int entries, int bits) {
        return (int) Math.round(Math.sqrt((double) i / (entries - 1)) * ((1 << bits) - 1));
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws Exception {
        attribute.addValue(value);
        list.put(attribute);
    }

    /** The plain way: the whole image as floats, then {@link AreaDownscale#resize}. */
    private static byte[] reference(Image image, int[] raw, int newWidth, int newHeight) {
        int n = raw.length;
        int shift = 32 - image.bitsStored();
        int[] stored = new int[n];
        for (int i = 0; i < n; i++) stored[i] = image.signed() ? (raw[i] << shift) >> shift : raw[i] & ((1 << image.bitsStored()) - 1);
        Integer padding = image.padding() == null ? null : image.signed() ? (image.padding() << shift) >> shift
                : image.padding() & ((1 << image.bitsStored()) - 1);
        VoiWindow window = null;
        if (image.window() != null) {
            window = new VoiWindow(image.window()[0], image.window()[1], "LINEAR");
        } else if (image.voiLut() == null) {
            int[] sorted = Arrays.stream(stored).filter(v -> padding == null || v != padding).sorted().toArray();
            int low = sorted[(int) Math.max(1, Math.ceil(sorted.length * 0.005)) - 1];
            int high = sorted[(int) Math.max(1, Math.ceil(sorted.length * 0.995)) - 1];
            double a = low * image.slope() + image.intercept(), b = high * image.slope() + image.intercept();
            window = new VoiWindow((Math.min(a, b) + Math.max(a, b)) / 2 + 0.5, Math.max(1, Math.abs(b - a) + 1), "LINEAR");
        }
        float[] display = new float[n];
        for (int i = 0; i < n; i++) {
            double modality = stored[i] * image.slope() + image.intercept();
            float d;
            if (window != null) {
                d = (float) window.apply(modality);
            } else {
                int[] lut = image.voiLut();
                int index = (int) Math.max(0, Math.min(lut[0] - 1, Math.round(modality) - lut[1]));
                d = (float) (lutEntry(index, lut[0], lut[2]) * 255.0 / ((1 << lut[2]) - 1));
            }
            if (image.monochrome1()) d = 255 - d;
            if (padding != null && stored[i] == padding) d = 0;
            display[i] = d;
        }
        float[] scaled = AreaDownscale.resize(display, image.columns(), image.rows(), newWidth, newHeight);
        byte[] out = new byte[scaled.length];
        for (int i = 0; i < scaled.length; i++) out[i] = (byte) Math.max(0, Math.min(255, Math.round(scaled[i])));
        return out;
    }
}
