package org.triagerouter.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceFiles;
import org.triagerouter.dicom.file.InstanceHeader;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.sr.TriageReportWriter;
import org.triagerouter.dicom.sr.TriageResult;
import org.triagerouter.dicom.testing.ExternalTool;
import org.triagerouter.dicom.testing.SrValidator;

/**
 * The SCU's transfer syntaxes against dcmtk's storescp: each object is proposed in its own syntax and, as contexts of
 * their own, Explicit and Implicit VR Little Endian; a peer that takes Implicit only (+xi) gets our SR and a JPEG
 * Lossless image re-encoded (decompressed); one that takes none of them is told apart by a message naming what was offered.
 */
class ScuTransferSyntaxTest {
    @TempDir
    Path work;
    Path image;
    Path compressed;
    Path sr;
    Process storescp;

    @BeforeEach
    void objects() throws Exception {
        image = SyntheticChestImages.writeSet(work.resolve("images"), 1, 600, 500, 31).get(0);
        compressed = work.resolve("compressed.dcm");
        ExternalTool.Result encode = ExternalTool.run("dcmcjpeg", "+e1", image.toString(), compressed.toString());
        assertEquals(0, encode.exitCode(), encode.output());
        assertEquals(Uids.JPEG_LOSSLESS_SV1, Part10.readMeta(compressed).transferSyntaxUid());
        InstanceHeader h = InstanceFiles.readHeader(image);
        TriageResult result = new TriageResult("ABNORMAL", 0.91, "URGENT", "cxr", "1", false, "default", 0.5, 1, null,
                List.of(new TriageResult.SourceImage(h.seriesInstanceUid(), h.sopClassUid(), h.sopInstanceUid())));
        sr = TriageReportWriter.write(image, result, work.resolve("sr.dcm"), LocalDateTime.of(2026, 1, 2, 3, 4, 5)).file();
        assertEquals(Uids.EXPLICIT_VR_LE, Part10.readMeta(sr).transferSyntaxUid());
    }

    @AfterEach
    void stop() throws Exception {
        if (storescp != null) {
            storescp.destroy();
            storescp.waitFor();
        }
    }

    @Test
    void anImplicitOnlyPeerReceivesTheSrAndADecompressedImageInImplicitVrLittleEndian() throws Exception {
        Path out = startStorescp("+xi");
        List<DimseStatus> statuses = send(ClientSettings.defaults("ROUTER"), sr, compressed);
        assertEquals(List.of(DimseStatus.SUCCESS, DimseStatus.SUCCESS), statuses);

        Path receivedSr = receivedFile(out, Part10.readMeta(sr).sopInstanceUid());
        assertEquals(Uids.IMPLICIT_VR_LE, Part10.readMeta(receivedSr).transferSyntaxUid());
        assertEquals(dataSetText(sr), dataSetText(receivedSr), "the same SR, only encoded otherwise");
        SrValidator.Report report = SrValidator.validate(receivedSr);
        assertEquals(List.of(), report.errors(), report.output());

        Path receivedImage = receivedFile(out, Part10.readMeta(compressed).sopInstanceUid());
        assertEquals(Uids.IMPLICIT_VR_LE, Part10.readMeta(receivedImage).transferSyntaxUid());
        assertArrayEquals(pixels(image), pixels(receivedImage), "lossless: the pixels the modality encoded");
        assertEquals(pixels(image).length, 600 * 500);
    }

    @Test
    void theFilesOwnSyntaxIsSentWhenAcceptedUnlessThePreferenceSaysUncompressed() throws Exception {
        Path out = startStorescp("+xa");
        String uid = Part10.readMeta(compressed).sopInstanceUid();
        assertEquals(List.of(DimseStatus.SUCCESS), send(ClientSettings.defaults("ROUTER"), compressed));
        assertEquals(Uids.JPEG_LOSSLESS_SV1, Part10.readMeta(receivedFile(out, uid)).transferSyntaxUid(), "own: as it is");
        Files.delete(receivedFile(out, uid));

        assertEquals(List.of(DimseStatus.SUCCESS), send(ClientSettings.defaults("ROUTER").withTransferSyntax(TransferSyntaxPreference.EXPLICIT),
                compressed));
        assertEquals(Uids.EXPLICIT_VR_LE, Part10.readMeta(receivedFile(out, uid)).transferSyntaxUid());
        assertArrayEquals(pixels(image), pixels(receivedFile(out, uid)));

        assertEquals(List.of(DimseStatus.SUCCESS), send(ClientSettings.defaults("ROUTER").withTransferSyntax(TransferSyntaxPreference.IMPLICIT),
                sr));
        assertEquals(Uids.IMPLICIT_VR_LE, Part10.readMeta(receivedFile(out, Part10.readMeta(sr).sopInstanceUid())).transferSyntaxUid());
    }

    @Test
    void aPeerThatAcceptsNoneOfTheOfferedSyntaxesIsToldApartByWhatWasOffered() throws Exception {
        // storescp's own configuration file: SR and DX storage in Explicit VR Big Endian only.
        Path config = work.resolve("storescp.cfg");
        Files.writeString(config, """
                [[TransferSyntaxes]]
                [BigEndianOnly]
                TransferSyntax1 = BigEndianExplicit
                [[PresentationContexts]]
                [BigEndian]
                PresentationContext1 = ComprehensiveSRStorage\\BigEndianOnly
                PresentationContext2 = DigitalXRayImageStorageForPresentation\\BigEndianOnly
                PresentationContext3 = VerificationSOPClass\\BigEndianOnly
                [[Profiles]]
                [BigEndianOnly]
                PresentationContexts = BigEndian
                """);
        Path out = startStorescp("-xf", config.toString(), "BigEndianOnly");
        List<Part10Meta> metas = List.of(Part10.readMeta(sr), Part10.readMeta(compressed));
        try (ClientAssociation association = ClientAssociation.open(ClientSettings.defaults("ROUTER"), new RemoteAe("STORESCP", "127.0.0.1", port),
                ClientAssociation.contextsFor(metas))) {
            ClientAssociation.NoPresentationContextException e = assertThrows(ClientAssociation.NoPresentationContextException.class,
                    () -> association.store(sr, Priority.MEDIUM));
            assertEquals("peer accepted no presentation context for SOP class " + metas.get(0).sopClassUid() + "; offered Explicit VR Little Endian "
                    + "(1.2.840.10008.1.2.1), Implicit VR Little Endian (1.2.840.10008.1.2); answered: transfer syntaxes not supported", e.getMessage());
            e = assertThrows(ClientAssociation.NoPresentationContextException.class, () -> association.store(compressed, Priority.MEDIUM));
            assertTrue(e.getMessage().contains("offered JPEG Lossless SV1 (1.2.840.10008.1.2.4.70), Explicit VR Little Endian (1.2.840.10008.1.2.1), "
                    + "Implicit VR Little Endian (1.2.840.10008.1.2)"), e.getMessage());
            association.release();
        }
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "nothing stored");
        }
    }

    @Test
    void eachObjectIsProposedInItsOwnSyntaxAndBothUncompressedOnesAsContextsOfTheirOwn() throws Exception {
        List<PresentationContext> contexts = ClientAssociation.contextsFor(List.of(Part10.readMeta(compressed), Part10.readMeta(sr),
                Part10.readMeta(image)));
        List<String> proposed = new ArrayList<>();
        for (PresentationContext pc : contexts) proposed.add(pc.id() + " " + pc.abstractSyntax() + " " + String.join("/", pc.transferSyntaxes()));
        String dx = Uids.DX_FOR_PRESENTATION, srClass = Part10.readMeta(sr).sopClassUid();
        assertEquals(List.of("1 " + dx + " " + Uids.JPEG_LOSSLESS_SV1, "3 " + dx + " " + Uids.EXPLICIT_VR_LE, "5 " + dx + " " + Uids.IMPLICIT_VR_LE,
                "7 " + srClass + " " + Uids.EXPLICIT_VR_LE, "9 " + srClass + " " + Uids.IMPLICIT_VR_LE), proposed);
    }

    private int port;

    private Path startStorescp(String... options) throws Exception {
        port = ExternalTool.freePort();
        Path out = Files.createDirectories(work.resolve("storescp"));
        List<String> command = new ArrayList<>(List.of("storescp", "-d", "-aet", "STORESCP", "-od", out.toString()));
        command.addAll(List.of(options));
        command.add(String.valueOf(port));
        storescp = ExternalTool.start(work.resolve("storescp.log"), command.toArray(String[]::new));
        ExternalTool.awaitListening(port, Duration.ofSeconds(10));
        return out;
    }

    private List<DimseStatus> send(ClientSettings settings, Path... files) throws Exception {
        List<Part10Meta> metas = new ArrayList<>();
        for (Path f : files) metas.add(Part10.readMeta(f));
        List<DimseStatus> statuses = new ArrayList<>();
        try (ClientAssociation association = ClientAssociation.open(settings, new RemoteAe("STORESCP", "127.0.0.1", port),
                ClientAssociation.contextsFor(metas, settings.transferSyntax()))) {
            for (Path f : files) statuses.add(association.store(f, Priority.MEDIUM));
            association.release();
        }
        return statuses;
    }

    /** Every element of the data set as dcmdump prints it, without the meta group, item delimiters and the lengths of sequences and items. */
    private static String dataSetText(Path file) throws Exception {
        ExternalTool.Result dump = ExternalTool.run("dcmdump", "+L", "+U8", file.toString());
        assertEquals(0, dump.exitCode(), dump.output());
        return String.join("\n", dump.output().lines().map(l -> l.replaceAll("#.*", "").strip())
                .filter(l -> l.startsWith("(") && !l.startsWith("(0002,") && !l.startsWith("(fffe,"))
                .map(l -> l.replaceAll("\\(Sequence with (un)?defined length|\\(Sequence with explicit length", "(Sequence")).toList());
    }

    /** storescp names a file after its modality and SOP Instance UID (SRc. for a Comprehensive SR, DX. ...). */
    private static Path receivedFile(Path out, String sopInstanceUid) throws Exception {
        try (var files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().endsWith("." + sopInstanceUid)).findFirst().orElse(out.resolve("missing." + sopInstanceUid));
        }
    }

    private static short[] pixels(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        return list.get(TagFromName.PixelData).getShortValues();
    }
}
