package org.triagerouter.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** UIDs the router speaks, and the generator for the ones it makes. */
public final class Uids {
    private Uids() {}

    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    public static final String VERIFICATION = "1.2.840.10008.1.1";
    /** Every storage SOP class of PS3.4 Annex B sits under this root; private classes do not. */
    public static final String STORAGE_SOP_CLASS_ROOT = "1.2.840.10008.5.1.4.1.1.";

    public static final String CR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.1";
    public static final String DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1";
    public static final String DX_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.1.1";
    public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED_12BIT = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_LOSSLESS_NH14 = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    public static final String JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";
    public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";
    public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";

    /**
     * Transfer syntaxes accepted by default: the ones the router can decode in pure Java.
     * JPEG-LS and 12-bit JPEG Extended have no pure-Java decoder, so they are left out unless configured.
     */
    public static final List<String> DECODABLE_TRANSFER_SYNTAXES = List.of(
            EXPLICIT_VR_LE, IMPLICIT_VR_LE, EXPLICIT_VR_BE, DEFLATED_EXPLICIT_VR_LE,
            JPEG_LOSSLESS_SV1, JPEG_LOSSLESS_NH14, JPEG_BASELINE,
            JPEG_2000_LOSSLESS, JPEG_2000, RLE_LOSSLESS);

    /** Syntaxes in which command sets and non-image datasets travel. */
    public static final List<String> UNCOMPRESSED_TRANSFER_SYNTAXES = List.of(EXPLICIT_VR_LE, IMPLICIT_VR_LE);

    private static final java.util.Map<String, String> TRANSFER_SYNTAX_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry(IMPLICIT_VR_LE, "Implicit VR Little Endian"), java.util.Map.entry(EXPLICIT_VR_LE, "Explicit VR Little Endian"),
            java.util.Map.entry(DEFLATED_EXPLICIT_VR_LE, "Deflated Explicit VR Little Endian"),
            java.util.Map.entry(EXPLICIT_VR_BE, "Explicit VR Big Endian"), java.util.Map.entry(JPEG_BASELINE, "JPEG Baseline"),
            java.util.Map.entry(JPEG_EXTENDED_12BIT, "JPEG Extended"), java.util.Map.entry(JPEG_LOSSLESS_NH14, "JPEG Lossless"),
            java.util.Map.entry(JPEG_LOSSLESS_SV1, "JPEG Lossless SV1"), java.util.Map.entry(JPEG_LS_LOSSLESS, "JPEG-LS Lossless"),
            java.util.Map.entry(JPEG_LS_NEAR_LOSSLESS, "JPEG-LS Near-Lossless"), java.util.Map.entry(JPEG_2000_LOSSLESS, "JPEG 2000 Lossless"),
            java.util.Map.entry(JPEG_2000, "JPEG 2000"), java.util.Map.entry(RLE_LOSSLESS, "RLE Lossless"));

    /** A transfer syntax for people: its name and UID, or the UID alone when we have no name for it. */
    public static String describeTransferSyntax(String uid) {
        String name = TRANSFER_SYNTAX_NAMES.get(uid);
        return name == null ? uid : name + " (" + uid + ")";
    }

    /** Implementation identity sent in associations and written to file meta groups. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.191245712404185342618412738427392457101";
    public static final String IMPLEMENTATION_VERSION = "TRIAGE_ROUTER_01";

    /** Digits and dots. PS3.5 9.1 also forbids leading zeros in a component, but devices send them: accepted. */
    private static final Pattern UID_SYNTAX = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    /** True for a UID of digits and dots, at most 64 characters: safe as a file or folder name too. */
    public static boolean isValid(String uid) {
        return uid != null && uid.length() <= 64 && UID_SYNTAX.matcher(uid).matches();
    }

    public static boolean isStorageSopClass(String sopClassUid) {
        return sopClassUid.startsWith(STORAGE_SOP_CLASS_ROOT);
    }

    /** A new UID in the 2.25 form (PS3.5 B.2): the decimal value of a random UUID. */
    public static String newUid() {
        return fromUuid(UUID.randomUUID());
    }

    /**
     * The same UID every time for the same name (2.25 form of a name-based UUID): an object made again
     * from the same inputs is then recognised as the same object by whoever received it before.
     */
    public static String fromName(String name) {
        return fromUuid(UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static String fromUuid(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, bytes.array());
    }
}
