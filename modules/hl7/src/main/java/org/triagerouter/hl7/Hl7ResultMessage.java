package org.triagerouter.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.HD;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.datatype.ST;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.TQ1;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ORU^R01 (v2.5.1) that reports one revision of a study's AI result: the order it belongs to (ORC/OBR
 * with the Accession Number, else the Study Instance UID, as order number), the result status (P for the
 * first revision, C for a correction), and one OBX per finding: category, score, priority, algorithm name
 * and version, operating point, Study Instance UID. NTEs say when the model is not for clinical use, what
 * a partial or not analyzed result lacks, and which revision a correction replaces. docs/hl7.md has the table.
 */
public final class Hl7ResultMessage {
    public static final String TYPE = "ORU^R01";

    private static final Map<String, String> CATEGORY_TEXT = Map.of("ABNORMAL", "Abnormal", "NORMAL", "Normal", "NOT_ANALYZED", "Not analyzed");
    private static final Map<String, String> PRIORITY_TEXT = Map.of("URGENT", "Urgent", "HIGH", "High", "ROUTINE", "Routine");

    private Hl7ResultMessage() {}

    public static String controlId(Hl7Result result) {
        return MessageParts.controlId(result.resultId(), result.revision(), "ORU");
    }

    /** OBR-25 and OBX-11: preliminary for the first revision (an AI result awaits the radiologist's report), corrected after. */
    public static String resultStatus(Hl7Result result) {
        return result.revision() > 1 ? "C" : "P";
    }

    public static Hl7Message build(Hl7Study study, Hl7Result result, Hl7Options options, Instant now, ZoneId zone) throws HL7Exception {
        ORU_R01 oru = new ORU_R01();
        String controlId = controlId(result);
        MessageParts.header(oru.getMSH(), options, "ORU", "R01", "ORU_R01", controlId, now, zone);
        MessageParts.patient(oru.getPATIENT_RESULT().getPATIENT().getPID(), study, options);

        ORU_R01_ORDER_OBSERVATION order = oru.getPATIENT_RESULT().getORDER_OBSERVATION();
        String reported = MessageParts.dtm(result.reportedAt(), zone);
        String status = resultStatus(result);
        ORC orc = order.getORC();
        orc.getOrderControl().setValue("RE"); // observations to follow
        orc.getDateTimeOfTransaction().getTime().setValue(reported);
        OBR obr = order.getOBR();
        obr.getSetIDOBR().setValue("1");
        MessageParts.orderNumbers(orc, obr, study.orderKey(), options);
        MessageParts.procedure(obr, study, options);
        String studyTime = MessageParts.dicomDateTime(study.studyDate(), study.studyTime());
        obr.getObservationDateTime().getTime().setValue(studyTime != null ? studyTime : reported);
        obr.getResultsRptStatusChngDateTime().getTime().setValue(reported);
        obr.getResultStatus().setValue(status);
        String priorityCode = options.priorityCode(result.priority());
        MessageParts.orderPriority(orc, obr, priorityCode, options);
        if (priorityCode != null && options.priorityFields().contains(Hl7Options.PriorityField.TQ1_9)) {
            TQ1 tq1 = order.getTIMING_QTY().getTQ1();
            tq1.getSetIDTQ1().setValue("1");
            MessageParts.priority(tq1.getPriority(0), priorityCode);
        }

        List<String> notes = new ArrayList<>();
        String clinical = MessageParts.clinicalUseNote(result);
        if (clinical != null) notes.add(clinical);
        if (result.reason() != null && !result.reason().isBlank()) notes.add((result.analyzed() ? "" : "Not analyzed: ") + result.reason());
        if (result.revision() > 1) notes.add("Corrected AI result: revision " + result.revision() + " replaces revision " + (result.revision() - 1) + ".");
        for (int i = 0; i < notes.size(); i++) MessageParts.note(order.getNTE(i), i + 1, notes.get(i));

        String system = options.codingSystem();
        List<Observation> observations = new ArrayList<>();
        CWE category = new CWE(oru);
        MessageParts.code(category, result.category(), CATEGORY_TEXT.getOrDefault(result.category(), result.category()), system);
        observations.add(new Observation("CWE", "AI-CATEGORY", "AI triage category", system, category,
                "ABNORMAL".equals(result.category()) ? "A" : "NORMAL".equals(result.category()) ? "N" : null));
        if (result.score() != null) {
            NM score = new NM(oru);
            score.setValue(String.format(Locale.ROOT, "%.4f", result.score()));
            observations.add(new Observation("NM", "AI-SCORE", "AI abnormality score", system, score, null));
        }
        if (result.priority() != null) {
            CWE priority = new CWE(oru);
            MessageParts.code(priority, result.priority(), PRIORITY_TEXT.getOrDefault(result.priority(), result.priority()), system);
            observations.add(new Observation("CWE", "AI-PRIORITY", "AI triage priority", system, priority, null));
        }
        observations.add(new Observation("ST", "111001", "Algorithm Name", "DCM", text(oru, result.modelId()), null));
        observations.add(new Observation("ST", "111003", "Algorithm Version", "DCM", text(oru, result.modelVersion()), null));
        if (result.operatingPoint() != null && !result.operatingPoint().isBlank()) {
            String point = result.operatingPoint() + (result.threshold() == null ? ""
                    : " (threshold " + BigDecimal.valueOf(result.threshold()).stripTrailingZeros().toPlainString() + ")");
            observations.add(new Observation("ST", "AI-OPERATING-POINT", "AI operating point", system, text(oru, point), null));
        }
        HD uid = new HD(oru);
        uid.getNamespaceID().setValue(study.studyInstanceUid());
        observations.add(new Observation("HD", "110180", "Study Instance UID", "DCM", uid, null));

        for (int i = 0; i < observations.size(); i++) {
            Observation o = observations.get(i);
            OBX obx = order.getOBSERVATION(i).getOBX();
            obx.getSetIDOBX().setValue(String.valueOf(i + 1));
            obx.getValueType().setValue(o.valueType());
            MessageParts.code(obx.getObservationIdentifier(), o.code(), o.text(), o.system());
            obx.getObservationValue(0).setData(o.value());
            if (o.abnormalFlag() != null) obx.getAbnormalFlags(0).setValue(o.abnormalFlag());
            obx.getObservationResultStatus().setValue(status);
            obx.getDateTimeOfTheObservation().getTime().setValue(reported);
        }
        return MessageParts.encode(oru, oru.getMSH(), options, TYPE, controlId);
    }

    private static ST text(ORU_R01 oru, String value) throws HL7Exception {
        ST st = new ST(oru);
        st.setValue(value);
        return st;
    }

    private record Observation(String valueType, String code, String text, String system, Type value, String abnormalFlag) {}
}
