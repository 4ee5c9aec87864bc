package org.triagerouter.dicom.file;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.triagerouter.dicom.Uids;

/**
 * Re-encodes a data set in Explicit or Implicit VR Little Endian, for a peer that accepts nothing else: compressed
 * pixel data is decompressed by PixelMed (the Image Pixel Module corrected, a lossy source recorded in Lossy Image
 * Compression). The SOP Instance UID stays: a change of transfer syntax is not a new instance (PS3.5 10). The
 * whole data set is held in memory, which suits what the SCU sends (results, files named on a command line).
 */
public final class DataSetReencoder {
    private DataSetReencoder() {}

    /** The data set read from {@code dataSet} (encoded in {@code sourceTransferSyntax}), encoded in {@code targetTransferSyntax}. */
    public static byte[] reencode(InputStream dataSet, String sourceTransferSyntax, String targetTransferSyntax) throws IOException {
        if (!Uids.UNCOMPRESSED_TRANSFER_SYNTAXES.contains(targetTransferSyntax)) {
            throw new IllegalArgumentException("re-encoding only to Explicit or Implicit VR Little Endian, not " + targetTransferSyntax);
        }
        boolean encapsulated = new TransferSyntax(sourceTransferSyntax).isEncapsulated();
        AttributeList list = new AttributeList();
        try {
            list.read(new DicomInputStream(new BufferedInputStream(dataSet, 65536), sourceTransferSyntax, false));
            if (encapsulated && list.get(TagFromName.PixelData) != null) {
                // PixelMed drops (and only logs) compressed pixel data its decoders cannot read: never send an image without its pixels.
                Attribute pixels = list.get(TagFromName.PixelData);
                if (pixels instanceof OtherByteAttributeMultipleCompressedFrames) {
                    throw new ReencodingFailedException("cannot decompress pixel data (" + Uids.describeTransferSyntax(sourceTransferSyntax) + ")", null);
                }
                list.correctDecompressedImagePixelModule();
                list.insertLossyImageCompressionHistoryIfDecompressed();
            } else if (encapsulated && hasImagePixelModule(list)) {
                throw new ReencodingFailedException("cannot decompress pixel data (" + Uids.describeTransferSyntax(sourceTransferSyntax)
                        + "): no decoder read it", null);
            }
            list.removeGroupLengthAttributes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(new DicomOutputStream(out, null, targetTransferSyntax));
            return out.toByteArray();
        } catch (ReencodingFailedException e) {
            throw e;
        } catch (DicomException | IOException | RuntimeException e) {
            throw new ReencodingFailedException("cannot re-encode the data set from " + Uids.describeTransferSyntax(sourceTransferSyntax) + " to "
                    + Uids.describeTransferSyntax(targetTransferSyntax) + ": " + e.getMessage(), e);
        }
    }

    /** The data set could not be read or re-encoded; nothing was sent. */
    public static final class ReencodingFailedException extends IOException {
        ReencodingFailedException(String message, Throwable cause) { super(message, cause); }
    }

    private static boolean hasImagePixelModule(AttributeList list) {
        return list.get(TagFromName.Rows) != null && list.get(TagFromName.Columns) != null && list.get(TagFromName.BitsAllocated) != null;
    }
}
