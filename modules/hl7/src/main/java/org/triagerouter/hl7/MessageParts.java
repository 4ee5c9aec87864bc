package org.triagerouter.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.AbstractMessage;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.EI;
import ca.uhn.hl7v2.model.v251.datatype.TQ;
import ca.uhn.hl7v2.model.v251.datatype.XPN;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.NTE;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.parser.PipeParser;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** The segments and fields the result and the priority message share, filled the same way in both. */
final class MessageParts {
    private MessageParts() {}

    static final String VERSION = "2.5.1";
    private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ");
    /** HL7 table 0027's texts, so a priority reads the same in every RIS screen. */
    private static final Map<String, String> PRIORITY_TEXT = Map.of("S", "Stat", "A", "ASAP", "R", "Routine", "P", "Preop",
            "C", "Callback", "T", "Timing critical");

    /**
     * MSH-10: the same for every attempt at the same message, different for every result, revision and
     * kind, and within the 20 characters v2.5.1 allows: {@code TR<result id>-<revision>-<ORU|ORM>}.
     */
    static String controlId(long resultId, int revision, String kind) {
        return "TR" + resultId + "-" + revision + "-" + kind;
    }

    static void header(MSH msh, Hl7Options o, String code, String trigger, String structure, String controlId, Instant now, ZoneId zone)
            throws DataTypeException {
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getSendingApplication().getNamespaceID().setValue(o.sendingApplication());
        msh.getSendingFacility().getNamespaceID().setValue(o.sendingFacility());
        msh.getReceivingApplication().getNamespaceID().setValue(o.receivingApplication());
        msh.getReceivingFacility().getNamespaceID().setValue(o.receivingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(dtm(now, zone));
        msh.getMessageType().getMessageCode().setValue(code);
        msh.getMessageType().getTriggerEvent().setValue(trigger);
        msh.getMessageType().getMessageStructure().setValue(structure);
        msh.getMessageControlID().setValue(controlId);
        msh.getProcessingID().getProcessingID().setValue(o.processingId());
        msh.getVersionID().getVersionID().setValue(VERSION);
    }

    /** PID-3 (patient ID, with the site's assigning authority), PID-5 (name), PID-7 (birth date), PID-8 (sex). */
    static void patient(PID pid, Hl7Study s, Hl7Options o) throws HL7Exception {
        pid.getSetIDPID().setValue("1");
        CX id = pid.getPatientIdentifierList(0);
        id.getIDNumber().setValue(blankToNull(s.patientId()));
        if (!o.patientIdAuthority().isEmpty()) {
            id.getAssigningAuthority().getNamespaceID().setValue(o.patientIdAuthority());
            id.getIdentifierTypeCode().setValue("MR");
        }
        name(pid.getPatientName(0), s.patientName());
        if (s.birthDate() != null && s.birthDate().trim().matches("\\d{8}")) pid.getDateTimeOfBirth().getTime().setValue(s.birthDate().trim());
        String sex = s.sex() == null ? "" : s.sex().trim().toUpperCase();
        if (sex.equals("M") || sex.equals("F") || sex.equals("O")) pid.getAdministrativeSex().setValue(sex);
    }

    /** DICOM PN family^given^middle^prefix^suffix (alphabetic group) to XPN family^given^middle^suffix^prefix. */
    static void name(XPN xpn, String dicomName) throws DataTypeException {
        if (dicomName == null || dicomName.isBlank()) return;
        String alphabetic = dicomName.split("=", -1)[0];
        String[] p = alphabetic.split("\\^", -1);
        xpn.getFamilyName().getSurname().setValue(part(p, 0));
        xpn.getGivenName().setValue(part(p, 1));
        xpn.getSecondAndFurtherGivenNamesOrInitialsThereof().setValue(part(p, 2));
        xpn.getPrefixEgDR().setValue(part(p, 3));
        xpn.getSuffixEgJRorIII().setValue(part(p, 4));
    }

    /** The order key in each order number field the site chose (ORC and OBR alike, so a RIS reading either finds it). */
    static void orderNumbers(ORC orc, OBR obr, OrderKey key, Hl7Options o) throws DataTypeException {
        for (Hl7Options.OrderNumberField f : o.accessionNumberIn()) {
            switch (f) {
                case PLACER -> {
                    entity(orc.getPlacerOrderNumber(), key.value());
                    entity(obr.getPlacerOrderNumber(), key.value());
                }
                case FILLER -> {
                    entity(orc.getFillerOrderNumber(), key.value());
                    entity(obr.getFillerOrderNumber(), key.value());
                }
                case PLACER_FIELD_1 -> obr.getPlacerField1().setValue(key.value());
            }
        }
    }

    private static void entity(EI ei, String value) throws DataTypeException {
        ei.getEntityIdentifier().setValue(value);
    }

    /** OBR-4: the site's procedure code, if any, with the study's description as text. */
    static void procedure(OBR obr, Hl7Study s, Hl7Options o) throws DataTypeException {
        String text = s.studyDescription() != null && !s.studyDescription().isBlank() ? s.studyDescription().trim() : o.procedureText();
        obr.getUniversalServiceIdentifier().getIdentifier().setValue(blankToNull(o.procedureCode()));
        obr.getUniversalServiceIdentifier().getText().setValue(blankToNull(text));
        if (!o.procedureCode().isEmpty()) obr.getUniversalServiceIdentifier().getNameOfCodingSystem().setValue(blankToNull(o.procedureCodingSystem()));
    }

    /** The priority code in the ORC and OBR fields the site chose (TQ1-9 is the ORU's own: it has the segment). */
    static void orderPriority(ORC orc, OBR obr, String code, Hl7Options o) throws DataTypeException {
        if (code == null) return;
        if (o.priorityFields().contains(Hl7Options.PriorityField.ORC_7)) priority(orc.getQuantityTiming(0), code);
        if (o.priorityFields().contains(Hl7Options.PriorityField.OBR_27)) priority(obr.getQuantityTiming(0), code);
        if (o.priorityFields().contains(Hl7Options.PriorityField.OBR_5)) obr.getPriorityOBR().setValue(code);
    }

    private static void priority(TQ tq, String code) throws DataTypeException {
        tq.getPriority().setValue(code);
    }

    static void priority(CWE cwe, String code) throws DataTypeException {
        cwe.getIdentifier().setValue(code);
        cwe.getText().setValue(PRIORITY_TEXT.get(code));
        cwe.getNameOfCodingSystem().setValue("HL70027");
    }

    static void note(NTE nte, int setId, String text) throws DataTypeException {
        nte.getSetIDNTE().setValue(String.valueOf(setId));
        nte.getSourceOfComment().setValue("O"); // another system: the AI
        nte.getComment(0).setValue(text);
        nte.getCommentType().getIdentifier().setValue("RE");
        nte.getCommentType().getText().setValue("Remark");
        nte.getCommentType().getNameOfCodingSystem().setValue("HL70364");
    }

    /** What the NTE says about a model that is not for clinical use, or null when it is. */
    static String clinicalUseNote(Hl7Result r) {
        if (r.demoModel()) return "NOT FOR CLINICAL USE: produced by the router's demonstration model, whose scores mean nothing.";
        if (!r.clinicalUse()) return "NOT FOR CLINICAL USE: the AI model " + r.modelId() + " " + r.modelVersion() + " is not for clinical use.";
        return null;
    }

    static void code(CE ce, String code, String text, String system) throws DataTypeException {
        ce.getIdentifier().setValue(code);
        ce.getText().setValue(text);
        ce.getNameOfCodingSystem().setValue(system);
    }

    static void code(CWE cwe, String code, String text, String system) throws DataTypeException {
        cwe.getIdentifier().setValue(code);
        cwe.getText().setValue(text);
        cwe.getNameOfCodingSystem().setValue(system);
    }

    /** ER7 text; plain ASCII as is, anything else in the site's character set, named in MSH-18. */
    static Hl7Message encode(AbstractMessage message, MSH msh, Hl7Options o, String type, String controlId) throws HL7Exception {
        PipeParser parser = PipeParser.getInstanceWithNoValidation();
        String text = parser.encode(message);
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(text)) return new Hl7Message(type, controlId, text, StandardCharsets.US_ASCII);
        msh.getCharacterSet(0).setValue(o.characterSet());
        Charset charset = o.characterSet().equals("8859/1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        return new Hl7Message(type, controlId, parser.encode(message), charset);
    }

    static String dtm(Instant instant, ZoneId zone) {
        return DTM.format(instant.atZone(zone));
    }

    /** DICOM DA + TM (HHMMSS.FFFFFF, possibly shorter) as an HL7 DTM without zone, or null when the date is missing. */
    static String dicomDateTime(String date, String time) {
        if (date == null || !date.trim().matches("\\d{8}")) return null;
        String t = time == null ? "" : time.trim().replace(":", "");
        int dot = t.indexOf('.');
        if (dot >= 0) t = t.substring(0, dot);
        if (!t.matches("\\d{2}|\\d{4}|\\d{6}")) t = "";
        return date.trim() + t;
    }

    private static String part(String[] parts, int i) {
        return i < parts.length ? blankToNull(parts[i].trim()) : null;
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
