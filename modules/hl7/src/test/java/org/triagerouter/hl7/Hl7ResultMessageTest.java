package org.triagerouter.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Hl7ResultMessageTest {
    static final ZoneId ZONE = ZoneOffset.ofHours(1);
    static final Instant NOW = Instant.parse("2024-03-01T10:15:30Z");
    static final Instant REPORTED = Instant.parse("2024-03-01T10:15:00Z");

    static Hl7Study study(String accession) {
        return new Hl7Study("PID-42", "Doe^Jane^Q^Dr^III", "19700102", "F", accession, "1.2.826.0.1.3680043.2.1125.1.42",
                "CHEST PA", "20240301", "101112.250");
    }

    static Hl7Result result(int revision, String category, Double score, String priority) {
        return new Hl7Result(77, revision, category, score, priority, "cxr-densenet", "2.1", "high-sensitivity", 0.35, false, true, null, REPORTED);
    }

    @Test
    void anAbnormalResultIsAPreliminaryOruWithTheAccessionNumberAsFillerOrderNumber() throws Exception {
        Hl7Message m = Hl7ResultMessage.build(study("ACC-1001"), result(1, "ABNORMAL", 0.9123, "URGENT"), Hl7Options.defaults(), NOW, ZONE);
        Er7 e = new Er7(m.text());
        assertEquals("ORU^R01", m.type());
        assertEquals("TR77-1-ORU", m.controlId());
        assertEquals(List.of("MSH", "PID", "ORC", "OBR", "TQ1", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX"), e.ids());
        assertEquals("ORU^R01^ORU_R01", e.field("MSH", 9));
        assertEquals("TR77-1-ORU", e.field("MSH", 10));
        assertEquals("TRIAGE", e.field("MSH", 3));
        assertEquals("P", e.field("MSH", 11));
        assertEquals("2.5.1", e.field("MSH", 12));
        assertEquals("20240301111530+0100", e.field("MSH", 7));
        assertEquals(StandardCharsets.US_ASCII, m.charset(), "plain ASCII needs no MSH-18");
        assertEquals("", e.field("MSH", 18));

        assertEquals("PID-42", e.field("PID", 3));
        assertEquals("Doe^Jane^Q^III^Dr", e.field("PID", 5), "DICOM prefix and suffix swap places in XPN");
        assertEquals("19700102", e.field("PID", 7));
        assertEquals("F", e.field("PID", 8));

        assertEquals("RE", e.field("ORC", 1));
        assertEquals("", e.field("ORC", 2));
        assertEquals("ACC-1001", e.field("ORC", 3));
        assertEquals("ACC-1001", e.field("OBR", 3));
        assertEquals("", e.field("OBR", 2));
        assertEquals("^CHEST PA", e.field("OBR", 4));
        assertEquals("20240301101112", e.field("OBR", 7), "observation time: when the study was acquired");
        assertEquals("P", e.field("OBR", 25));
        assertEquals("S", e.component("ORC", 7, 6), "URGENT is STAT in ORC-7.6");
        assertEquals("S", e.component("OBR", 27, 6));
        assertEquals("S^Stat^HL70027", e.field("TQ1", 9));

        int category = e.observation("AI-CATEGORY");
        assertEquals("CWE", e.field("OBX", category, 2));
        assertEquals("AI-CATEGORY^AI triage category^99TRG", e.field("OBX", category, 3));
        assertEquals("ABNORMAL^Abnormal^99TRG", e.field("OBX", category, 5));
        assertEquals("A", e.field("OBX", category, 8));
        assertEquals("P", e.field("OBX", category, 11));
        int score = e.observation("AI-SCORE");
        assertEquals("NM", e.field("OBX", score, 2));
        assertEquals("0.9123", e.field("OBX", score, 5));
        assertEquals("URGENT^Urgent^99TRG", e.field("OBX", e.observation("AI-PRIORITY"), 5));
        assertEquals("cxr-densenet", e.field("OBX", e.observation("111001"), 5));
        assertEquals("111001^Algorithm Name^DCM", e.field("OBX", e.observation("111001"), 3));
        assertEquals("2.1", e.field("OBX", e.observation("111003"), 5));
        assertEquals("high-sensitivity (threshold 0.35)", e.field("OBX", e.observation("AI-OPERATING-POINT"), 5));
        int uid = e.observation("110180");
        assertEquals("HD", e.field("OBX", uid, 2));
        assertEquals("1.2.826.0.1.3680043.2.1125.1.42", e.field("OBX", uid, 5));
        assertFalse(e.ids().contains("NTE"), "a clinical model's result has no note");
    }

    @Test
    void aRevisionIsACorrectedResultWithItsOwnControlId() throws Exception {
        Hl7Message m = Hl7ResultMessage.build(study("ACC-1001"), result(2, "ABNORMAL", 0.95, "URGENT"), Hl7Options.defaults(), NOW, ZONE);
        Er7 e = new Er7(m.text());
        assertEquals("TR77-2-ORU", e.field("MSH", 10));
        assertEquals("C", e.field("OBR", 25));
        assertEquals("C", e.field("OBX", e.observation("AI-CATEGORY"), 11));
        assertTrue(e.field("NTE", 3).contains("revision 2 replaces revision 1"), e.field("NTE", 3));
    }

    @Test
    void aStudyWithoutAccessionNumberUsesItsStudyInstanceUidAsOrderKey() throws Exception {
        Hl7Study study = study("");
        assertEquals(OrderKey.Kind.STUDY_INSTANCE_UID, study.orderKey().kind());
        Hl7Options placerAndFiller = options(Map.of(), EnumSet.of(Hl7Options.OrderNumberField.PLACER, Hl7Options.OrderNumberField.FILLER,
                Hl7Options.OrderNumberField.PLACER_FIELD_1), EnumSet.of(Hl7Options.PriorityField.OBR_27));
        Er7 e = new Er7(Hl7ResultMessage.build(study, result(1, "NORMAL", 0.12, "ROUTINE"), placerAndFiller, NOW, ZONE).text());
        for (int field : new int[] {2, 3}) {
            assertEquals(study.studyInstanceUid(), e.field("ORC", field));
            assertEquals(study.studyInstanceUid(), e.field("OBR", field));
        }
        assertEquals(study.studyInstanceUid(), e.field("OBR", 18));
        assertEquals("N", e.field("OBX", e.observation("AI-CATEGORY"), 8));
        assertEquals("", e.field("OBR", 27), "ROUTINE has no code by default: no priority in the order fields");
        assertFalse(e.ids().contains("TQ1"));
    }

    @Test
    void aDemoModelsResultSaysItIsNotForClinicalUse() throws Exception {
        Hl7Result demo = new Hl7Result(5, 1, "NORMAL", 0.2, "ROUTINE", "demo-brightness", "1", "default", 0.5, true, false,
                "partial: 1 of 2 image(s) not analyzed: 1.2.3 (node lost: b)", REPORTED);
        Er7 e = new Er7(Hl7ResultMessage.build(study("A1"), demo, Hl7Options.defaults(), NOW, ZONE).text());
        assertTrue(e.field("NTE", 1, 3).startsWith("NOT FOR CLINICAL USE"), e.field("NTE", 1, 3));
        assertEquals("O", e.field("NTE", 1, 2));
        assertTrue(e.field("NTE", 2, 3).startsWith("partial: 1 of 2"), e.field("NTE", 2, 3));
        Hl7Result research = new Hl7Result(5, 1, "NORMAL", 0.2, "ROUTINE", "research-net", "3", "default", 0.5, false, false, null, REPORTED);
        assertTrue(new Er7(Hl7ResultMessage.build(study("A1"), research, Hl7Options.defaults(), NOW, ZONE).text()).field("NTE", 3)
                .contains("research-net 3 is not for clinical use"));
    }

    @Test
    void aNotAnalyzedResultHasTheCategoryAndTheReasonOnly() throws Exception {
        Hl7Result none = new Hl7Result(9, 1, "NOT_ANALYZED", null, null, "cxr", "1", "default", 0.5, false, true,
                "no eligible image: ViewPosition is 'LL'", REPORTED);
        Er7 e = new Er7(Hl7ResultMessage.build(study("A2"), none, Hl7Options.defaults(), NOW, ZONE).text());
        assertEquals("NOT_ANALYZED^Not analyzed^99TRG", e.field("OBX", e.observation("AI-CATEGORY"), 5));
        assertEquals(-1, e.observation("AI-SCORE"));
        assertEquals(-1, e.observation("AI-PRIORITY"));
        assertEquals("", e.field("OBX", e.observation("AI-CATEGORY"), 8));
        assertEquals("Not analyzed: no eligible image: ViewPosition is 'LL'", e.field("NTE", 3));
    }

    @Test
    void siteOptionsFillTheHeaderPatientIdAndProcedure() throws Exception {
        Hl7Options o = new Hl7Options("AI_TRIAGE", "RADIOLOGY", "RIS", "HOSPITAL", "T", EnumSet.of(Hl7Options.OrderNumberField.PLACER),
                Hl7Options.PriorityMessage.NONE, "XO", Map.of("URGENT", "S", "HIGH", "A", "ROUTINE", "R"),
                EnumSet.of(Hl7Options.PriorityField.OBR_5), "HOSP", "99AI", "CXR-AI", "AI chest triage", "L", "UNICODE UTF-8", false);
        Hl7Study noDescription = new Hl7Study("P1", "Müller^Jürgen", "", "", "ACC|7", "1.2.3", "", "", "");
        Hl7Message m = Hl7ResultMessage.build(noDescription, result(1, "NORMAL", 0.1, "ROUTINE"), o, NOW, ZONE);
        Er7 e = new Er7(m.text());
        assertEquals("AI_TRIAGE", e.field("MSH", 3));
        assertEquals("RADIOLOGY", e.field("MSH", 4));
        assertEquals("RIS", e.field("MSH", 5));
        assertEquals("HOSPITAL", e.field("MSH", 6));
        assertEquals("T", e.field("MSH", 11));
        assertEquals("UNICODE UTF-8", e.field("MSH", 18));
        assertEquals(StandardCharsets.UTF_8, m.charset());
        assertEquals("P1^^^HOSP^MR", e.field("PID", 3));
        assertEquals("Müller^Jürgen", e.field("PID", 5));
        assertEquals("", e.field("PID", 7));
        assertEquals("ACC\\F\\7", e.field("ORC", 2), "a field separator inside a value is escaped");
        assertEquals("", e.field("ORC", 3));
        assertEquals("CXR-AI^AI chest triage^L", e.field("OBR", 4));
        assertEquals("R", e.field("OBR", 5));
        assertEquals("AI-CATEGORY^AI triage category^99AI", e.field("OBX", 1, 3));
        assertEquals(e.field("OBR", 22), e.field("OBR", 7), "no study date: observed when reported");
    }

    @Test
    void theSameResultGivesTheSameMessageButForItsTime() throws Exception {
        Hl7Message a = Hl7ResultMessage.build(study("A"), result(1, "ABNORMAL", 0.9, "URGENT"), Hl7Options.defaults(), NOW, ZONE);
        Hl7Message b = Hl7ResultMessage.build(study("A"), result(1, "ABNORMAL", 0.9, "URGENT"), Hl7Options.defaults(), NOW.plusSeconds(60), ZONE);
        assertEquals(a.controlId(), b.controlId());
        assertEquals(a.text().replace("20240301111530", "T"), b.text().replace("20240301111630", "T"));
        assertNull(new Er7(a.text()).field("NTE", 3));
    }

    static Hl7Options options(Map<String, String> codes, EnumSet<Hl7Options.OrderNumberField> order, EnumSet<Hl7Options.PriorityField> fields) {
        Hl7Options d = Hl7Options.defaults();
        return new Hl7Options(d.sendingApplication(), d.sendingFacility(), d.receivingApplication(), d.receivingFacility(), d.processingId(),
                order, d.priorityMessage(), d.priorityOrderControl(), codes.isEmpty() ? d.priorityCodes() : codes, fields, d.patientIdAuthority(),
                d.codingSystem(), d.procedureCode(), d.procedureText(), d.procedureCodingSystem(), d.characterSet(), d.sendNotAnalyzed());
    }
}
