package org.triagerouter.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.ParserConfiguration;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A peer's acknowledgment of one message: MSA-1's code, MSA-2 (the control ID it acknowledges) and the
 * text it gives (MSA-3, and each ERR's error code text, diagnostic information and user message).
 * AA/CA accept; AR/CR reject for good; AE/CE (and anything unexpected) ask for another try.
 */
public record Hl7Ack(String code, String controlId, String text) {
    public enum Verdict { ACCEPTED, RETRY, REJECTED }

    /** Any version's ACK is read with the v2.5.1 structures, without validation: a peer's style must not lose its answer. */
    private static final HapiContext READER = new DefaultHapiContext(new ParserConfiguration(), ValidationContextFactory.noValidation(),
            new CanonicalModelClassFactory("2.5.1"));

    public Verdict verdict() {
        return switch (code) {
            case "AA", "CA" -> Verdict.ACCEPTED;
            case "AR", "CR" -> Verdict.REJECTED;
            default -> Verdict.RETRY;
        };
    }

    /** "AR: Unknown order 123" as a delivery records it. */
    public String describe() {
        return text == null || text.isEmpty() ? code : code + ": " + text;
    }

    public static Hl7Ack parse(String er7) throws HL7Exception {
        Message message;
        synchronized (READER) { // a HAPI parser is not documented as thread-safe
            message = READER.getPipeParser().parse(er7.strip().replace("\r\n", "\r").replace('\n', '\r'));
        }
        Terser t = new Terser(message);
        String code = value(t, "/.MSA-1");
        if (code == null) throw new HL7Exception("the answer has no MSA-1 acknowledgment code");
        Set<String> texts = new LinkedHashSet<>();
        add(texts, value(t, "/.MSA-3"));
        for (int i = 0; i < 10; i++) {
            String err = "/.ERR(" + i + ")";
            try {
                if (t.getSegment(err).isEmpty()) break;
            } catch (HL7Exception e) {
                break;
            }
            String severity = value(t, err + "-4");
            String codeText = first(value(t, err + "-3-2"), value(t, err + "-3-1"));
            String legacy = first(value(t, err + "-1-4-2"), value(t, err + "-1-4-1")); // v2.4 and earlier: ERR-1 (ELD)
            String location = value(t, err + "-2-1") == null ? null : value(t, err + "-2-1") + fieldOf(t, err);
            String prefix = severity != null && !severity.equals("E") ? severity + " " : "";
            for (String part : new String[] {first(codeText, legacy), value(t, err + "-8"), value(t, err + "-7")}) {
                if (part != null && !texts.contains(part)) add(texts, prefix + part);
            }
            if (location != null) add(texts, "at " + location);
        }
        return new Hl7Ack(code.trim().toUpperCase(), value(t, "/.MSA-2"), String.join("; ", texts));
    }

    private static String fieldOf(Terser t, String err) {
        String field = value(t, err + "-2-3");
        return field == null ? "" : "-" + field;
    }

    private static String value(Terser t, String path) {
        try {
            String v = t.get(path);
            return v == null || v.isBlank() ? null : v.trim();
        } catch (HL7Exception | RuntimeException e) {
            return null;
        }
    }

    private static String first(String a, String b) { return a != null ? a : b; }

    private static void add(Set<String> texts, String text) {
        if (text != null && !text.isBlank()) texts.add(text.trim());
    }
}
