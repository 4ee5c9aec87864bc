package org.triagerouter.dicom.file;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.triagerouter.dicom.Uids;

/** The structure walk on data sets with nested sequences, in each uncompressed syntax. */
class DatasetWalkerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {Uids.EXPLICIT_VR_LE, Uids.IMPLICIT_VR_LE, Uids.EXPLICIT_VR_BE})
    void nestedSequencesPassAndEveryCutIsCaught(String transferSyntax) throws Exception {
        Path file = writeWithSequences(transferSyntax);
        Part10Meta meta = Part10.readMeta(file);
        assertDoesNotThrow(() -> DatasetWalker.checkComplete(file, meta.dataSetOffset(), transferSyntax));

        byte[] all = Files.readAllBytes(file);
        int sequenceStart = indexOf(all, Uids.EXPLICIT_VR_BE.equals(transferSyntax)
                ? new byte[] {0x00, 0x08, 0x11, 0x10} : new byte[] {0x08, 0x00, 0x10, 0x11});
        assertTrue(sequenceStart > meta.dataSetOffset());
        Path cut = dir.resolve("cut.dcm");
        // The sequence is the last element: a cut anywhere inside it, at every byte, must be refused.
        for (int length = sequenceStart + 1; length < all.length; length++) {
            Files.write(cut, Arrays.copyOf(all, length));
            assertThrows(InvalidDatasetException.class, () -> DatasetWalker.checkComplete(cut, meta.dataSetOffset(), transferSyntax),
                    "cut at " + length + " of " + all.length + " passed");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void elementsOutOfOrderAreMalformedNotTruncated() throws Exception {
        Path file = dir.resolve("swapped.dcm");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Part10.writeMetaGroup(out, Uids.SECONDARY_CAPTURE, "1.2.3", Uids.EXPLICIT_VR_LE, "X");
        long offset = out.size();
        // (0010,0010) then (0008,0060): descending tags.
        out.writeBytes(new byte[] {0x10, 0, 0x10, 0, 'P', 'N', 2, 0, 'A', ' '});
        out.writeBytes(new byte[] {0x08, 0, 0x60, 0, 'C', 'S', 2, 0, 'D', 'X'});
        Files.write(file, out.toByteArray());
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class, () -> DatasetWalker.checkComplete(file, offset, Uids.EXPLICIT_VR_LE));
        assertFalse(e.truncated);
        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    }

    /** An element inside a defined-length item that claims more than its item holds. */
    @Test
    void elementOverrunningItsDefinedLengthItemIsRefused() throws Exception {
        java.io.ByteArrayOutputStream d = new java.io.ByteArrayOutputStream();
        d.writeBytes(new byte[] {0x08, 0, 0x10, 0x11, 'S', 'Q', 0, 0, -1, -1, -1, -1});    // (0008,1110) SQ, undefined
        d.writeBytes(new byte[] {-2, -1, 0, -32, 8, 0, 0, 0});                          // item, 8 bytes
        d.writeBytes(new byte[] {0x08, 0, 0x50, 0x11, 'U', 'I', 0x00, 0x01});           // (0008,1150) UI claims 256 bytes
        d.writeBytes(new byte[] {-2, -1, -35, -32, 0, 0, 0, 0});                        // sequence delimiter
        Path file = withMeta(d.toByteArray(), Uids.EXPLICIT_VR_LE);
        assertThrows(InvalidDatasetException.class, () -> DatasetWalker.checkComplete(file, Part10.readMeta(file).dataSetOffset(), Uids.EXPLICIT_VR_LE));
    }

    /** UN of undefined length carries Implicit VR Little Endian even inside a Big Endian data set (PS3.5 6.2.2). */
    @Test
    void undefinedLengthUnInBigEndianIsReadAsImplicitLittleEndian() throws Exception {
        java.io.ByteArrayOutputStream d = new java.io.ByteArrayOutputStream();
        d.writeBytes(new byte[] {0, 0x09, 0x10, 0x10, 'U', 'N', 0, 0, -1, -1, -1, -1}); // (0009,1010) UN, undefined, big endian header
        d.writeBytes(new byte[] {-2, -1, 0, -32, -1, -1, -1, -1});                     // item, undefined (little endian)
        d.writeBytes(new byte[] {0x08, 0, 0x50, 0x11, 4, 0, 0, 0, '1', '.', '2', 0});   // (0008,1150) implicit LE, 4 bytes
        d.writeBytes(new byte[] {-2, -1, 0x0D, -32, 0, 0, 0, 0});                      // item delimiter
        d.writeBytes(new byte[] {-2, -1, -35, -32, 0, 0, 0, 0});                       // sequence delimiter
        Path file = withMeta(d.toByteArray(), Uids.EXPLICIT_VR_BE);
        assertDoesNotThrow(() -> DatasetWalker.checkComplete(file, Part10.readMeta(file).dataSetOffset(), Uids.EXPLICIT_VR_BE));
    }

    private Path withMeta(byte[] dataSet, String transferSyntax) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Part10.writeMetaGroup(out, Uids.SECONDARY_CAPTURE, "1.2.3", transferSyntax, "X");
        out.writeBytes(dataSet);
        Path file = dir.resolve("hand-made.dcm");
        Files.write(file, out.toByteArray());
        return file;
    }

    private Path writeWithSequences(String transferSyntax) throws Exception {
        AttributeList list = new AttributeList();
        UniqueIdentifierAttribute sopClass = new UniqueIdentifierAttribute(TagFromName.SOPClassUID);
        sopClass.addValue(Uids.SECONDARY_CAPTURE);
        list.put(sopClass);
        UniqueIdentifierAttribute sopInstance = new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID);
        sopInstance.addValue(Uids.newUid());
        list.put(sopInstance);
        SequenceAttribute outer = new SequenceAttribute(TagFromName.ReferencedStudySequence);
        for (int i = 0; i < 2; i++) {
            AttributeList item = new AttributeList();
            LongStringAttribute text = new LongStringAttribute(TagFromName.StudyDescription);
            text.addValue("item " + i);
            item.put(text);
            SequenceAttribute inner = new SequenceAttribute(TagFromName.ProcedureCodeSequence);
            AttributeList innerItem = new AttributeList();
            CodeStringAttribute code = new CodeStringAttribute(TagFromName.Modality);
            code.addValue("DX");
            innerItem.put(code);
            inner.addItem(innerItem);
            item.put(inner);
            outer.addItem(item);
        }
        list.put(outer);
        FileMetaInformation.addFileMetaInformation(list, transferSyntax, "TEST");
        Path file = dir.resolve("seq-" + transferSyntax + ".dcm");
        list.write(file.toFile(), transferSyntax, true, true);
        return file;
    }
}
