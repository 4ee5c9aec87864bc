package org.triagerouter.hl7;

import java.nio.charset.Charset;

/**
 * One encoded message ready for MLLP: its type as in MSH-9 (e.g. {@code ORU^R01}), its control ID (MSH-10)
 * and its ER7 text (segments ended by carriage returns) in the character set MSH-18 names.
 */
public record Hl7Message(String type, String controlId, String text, Charset charset) {
    public byte[] bytes() { return text.getBytes(charset); }
}
