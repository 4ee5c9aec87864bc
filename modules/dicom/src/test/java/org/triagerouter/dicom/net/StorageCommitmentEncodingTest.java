package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.testing.ExternalTool;

/** The N-ACTION and N-EVENT-REPORT command sets byte for byte (PS3.7 10.3.4, 10.3.1), and their data sets (PS3.4 J.3). */
class StorageCommitmentEncodingTest {
    private static final ReferencedInstance SR = new ReferencedInstance("1.2.840.10008.5.1.4.1.1.88.33", "2.25.1001");
    private static final ReferencedInstance KO = new ReferencedInstance("1.2.840.10008.5.1.4.1.1.88.59", "2.25.1002");

    @TempDir
    Path work;

    @Test
    void nActionRequestCommandSetIsEncodedByteForByte() {
        byte[] expected = bytes(
                "00000000", "04000000", "62000000",                         // (0000,0000) UL group length 98
                "00000300", "14000000", ascii("1.2.840.10008.1.20.1"),      // Requested SOP Class UID (20 bytes, no padding)
                "00000001", "02000000", "3001",                             // Command Field N-ACTION-RQ 0x0130
                "00001001", "02000000", "0700",                             // Message ID 7
                "00000008", "02000000", "0000",                             // Command Data Set Type: a data set follows
                "00000110", "16000000", ascii("1.2.840.10008.1.20.1.1"),    // Requested SOP Instance UID, the well-known instance
                "00000810", "02000000", "0100");                            // Action Type ID 1: request storage commitment
        assertArrayEquals(expected, StorageCommitment.actionRequest(7).encode(), HexFormat.of().formatHex(StorageCommitment.actionRequest(7).encode()));
    }

    @Test
    void nEventReportResponseEchoesTheEventTypeAndWellKnownInstance() {
        CommandSet rq = StorageCommitment.eventReportRequest(3, StorageCommitment.EVENT_FAILURES_EXIST);
        byte[] expectedRq = bytes(
                "00000000", "04000000", "62000000",
                "00000200", "14000000", ascii("1.2.840.10008.1.20.1"),      // Affected SOP Class UID
                "00000001", "02000000", "0001",                             // N-EVENT-REPORT-RQ 0x0100
                "00001001", "02000000", "0300",
                "00000008", "02000000", "0000",
                "00000010", "16000000", ascii("1.2.840.10008.1.20.1.1"),    // Affected SOP Instance UID
                "00000210", "02000000", "0200");                            // Event Type ID 2
        assertArrayEquals(expectedRq, rq.encode());
        CommandSet decoded = CommandSet.decode(expectedRq, expectedRq.length);
        assertEquals(StorageCommitment.N_EVENT_REPORT_RQ, decoded.commandField());
        assertEquals(2, decoded.getUs(StorageCommitment.EVENT_TYPE_ID));
    }

    @Test
    void actionInformationIsReadByDcmtkInBothSyntaxes() throws Exception {
        for (String ts : List.of(Uids.IMPLICIT_VR_LE, Uids.EXPLICIT_VR_LE)) {
            Path file = work.resolve(ts + ".ds");
            Files.write(file, StorageCommitment.actionInformation("2.25.777", List.of(SR, KO), ts));
            ExternalTool.Result dump = ExternalTool.run("dcmdump", "-f", ts.equals(Uids.IMPLICIT_VR_LE) ? "-ti" : "-te", file.toString());
            assertEquals(0, dump.exitCode(), dump.output());
            assertTrue(dump.output().contains("(0008,1195) UI [2.25.777]"), dump.output());
            assertTrue(dump.output().contains("(0008,1199) SQ (Sequence with explicit length #=2)"), dump.output());
            assertTrue(dump.output().contains("(0008,1155) UI [2.25.1001]") && dump.output().contains("(0008,1155) UI [2.25.1002]"), dump.output());
            assertTrue(dump.output().contains("(0008,1150) UI =ComprehensiveSRStorage"), dump.output());
            assertTrue(dump.output().contains("(0008,1150) UI =KeyObjectSelectionDocumentStorage"), dump.output());
            assertTrue(!dump.output().contains("E:") && !dump.output().contains("W:"), dump.output());
        }
    }

    @Test
    void eventInformationWithUndefinedLengthsAndFailuresIsRead() throws IOException {
        // As an SCP may write it in Implicit VR: undefined-length sequences and items, a Retrieve AE Title we do not use.
        byte[] dataSet = bytes(
                "08005400", "06000000", ascii("PACS  "),                    // (0008,0054) Retrieve AE Title
                "08009511", "0a000000", ascii("2.25.777"), "0000",          // (0008,1195) Transaction UID, NUL padded to 10
                "08009811", "ffffffff",                                     // (0008,1198) Failed SOP Sequence, undefined length
                "feff00e0", "ffffffff",                                     //   item, undefined length
                "08005011", "1e000000", ascii("1.2.840.10008.5.1.4.1.1.88.59"), "00",
                "08005511", "0a000000", ascii("2.25.1002"), "00",
                "08009711", "02000000", "1201",                             //   Failure Reason 0x0112 no such object instance
                "feff0de0", "00000000",                                     //   item delimiter
                "feffdde0", "00000000",                                     // sequence delimiter
                "08009911", "ffffffff",                                     // (0008,1199) Referenced SOP Sequence
                "feff00e0", "ffffffff",
                "08005011", "1e000000", ascii("1.2.840.10008.5.1.4.1.1.88.33"), "00",
                "08005511", "0a000000", ascii("2.25.1001"), "00",
                "feff0de0", "00000000",
                "feffdde0", "00000000");
        StorageCommitmentResult result = StorageCommitment.eventInformation(dataSet, Uids.IMPLICIT_VR_LE, StorageCommitment.EVENT_FAILURES_EXIST);
        assertEquals("2.25.777", result.transactionUid());
        assertEquals(List.of(SR), result.committed());
        assertEquals(List.of(new StorageCommitmentResult.Failure(KO, 0x0112)), result.failed());
        assertEquals("2.25.1002 0x0112 no such object instance", result.failed().get(0).describe());
        assertTrue(!result.allCommitted());
    }

    @Test
    void eventInformationRoundTripsInExplicitVr() throws IOException {
        StorageCommitmentResult sent = new StorageCommitmentResult("2.25.9", StorageCommitment.EVENT_SUCCESS, List.of(SR, KO), List.of());
        StorageCommitmentResult read = StorageCommitment.eventInformation(StorageCommitment.eventInformation(sent, Uids.EXPLICIT_VR_LE),
                Uids.EXPLICIT_VR_LE, StorageCommitment.EVENT_SUCCESS);
        assertEquals(sent, read);
        assertTrue(read.allCommitted());
    }

    @Test
    void truncatedOrUidlessEventInformationIsRefused() {
        byte[] good = StorageCommitment.eventInformation(new StorageCommitmentResult("2.25.9", 1, List.of(SR), List.of()), Uids.IMPLICIT_VR_LE);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
        assertThrows(IOException.class, () -> StorageCommitment.eventInformation(truncated, Uids.IMPLICIT_VR_LE, 1));
        byte[] noUid = bytes("08005400", "04000000", ascii("PACS"));
        assertThrows(IOException.class, () -> StorageCommitment.eventInformation(noUid, Uids.IMPLICIT_VR_LE, 1));
    }

    private static String ascii(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bytes(String... hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String h : hex) out.writeBytes(HexFormat.of().parseHex(h));
        return out.toByteArray();
    }
}
