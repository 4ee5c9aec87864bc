package org.triagerouter.hl7;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What differs from site to site in the messages a destination gets. Every choice a RIS interface
 * specification makes has a key here; the defaults follow the common radiology practice noted on each.
 *
 * @param sendingApplication    MSH-3
 * @param sendingFacility       MSH-4
 * @param receivingApplication  MSH-5
 * @param receivingFacility     MSH-6
 * @param processingId          MSH-11: P production, T training, D debugging
 * @param accessionNumberIn     which order number fields carry the Accession Number (the RIS is the filler in most sites)
 * @param priorityMessage       the message sent for URGENT and HIGH results besides the ORU: ORM^O01 or none
 * @param priorityOrderControl  ORC-1 of that message: XO (change order request) by default
 * @param priorityCodes         HL7 table 0027 code per triage priority (URGENT, HIGH; ROUTINE when a site wants it sent too)
 * @param priorityFields        where the priority code goes in each message that has the field
 * @param patientIdAuthority    PID-3's assigning authority (CX-4); empty leaves it out
 * @param codingSystem          the coding system name of the router's local observation codes (HL7 "99zzz" form)
 * @param procedureCode         OBR-4 identifier; empty sends the text only
 * @param procedureText         OBR-4 text when the study has no Study Description
 * @param procedureCodingSystem OBR-4 coding system, with a code
 * @param characterSet          MSH-18 and the encoding for messages that are not plain ASCII: UNICODE UTF-8 or 8859/1
 * @param sendNotAnalyzed       also send results of studies the model did not analyze (category NOT_ANALYZED)
 */
public record Hl7Options(String sendingApplication, String sendingFacility, String receivingApplication, String receivingFacility,
                         String processingId, Set<OrderNumberField> accessionNumberIn, PriorityMessage priorityMessage,
                         String priorityOrderControl, Map<String, String> priorityCodes, Set<PriorityField> priorityFields,
                         String patientIdAuthority, String codingSystem, String procedureCode, String procedureText,
                         String procedureCodingSystem, String characterSet, boolean sendNotAnalyzed) {

    /** Order number fields; each puts the order key in both segments that have it. */
    public enum OrderNumberField {
        /** ORC-2 and OBR-2 */
        PLACER("placer"),
        /** ORC-3 and OBR-3 */
        FILLER("filler"),
        /** OBR-18, where IHE's v2.3.1 radiology profiles put the Accession Number */
        PLACER_FIELD_1("placerField1");

        public final String configName;

        OrderNumberField(String configName) { this.configName = configName; }

        public static OrderNumberField parse(String text) {
            for (OrderNumberField f : values()) if (f.configName.equalsIgnoreCase(text.trim())) return f;
            throw new IllegalArgumentException("'" + text + "' is not one of placer, filler, placerField1");
        }
    }

    /** Fields a priority code can go to; a message without the segment leaves it out (the ORM has no TQ1). */
    public enum PriorityField {
        /** ORC-7 quantity/timing, component 6 (priority) */
        ORC_7("ORC-7"),
        /** TQ1-9 priority (the v2.5 successor of ORC-7), in the ORU */
        TQ1_9("TQ1-9"),
        /** OBR-27 quantity/timing, component 6 */
        OBR_27("OBR-27"),
        /** OBR-5, the older priority field some RIS still read */
        OBR_5("OBR-5");

        public final String configName;

        PriorityField(String configName) { this.configName = configName; }

        public static PriorityField parse(String text) {
            for (PriorityField f : values()) if (f.configName.equalsIgnoreCase(text.trim())) return f;
            throw new IllegalArgumentException("'" + text + "' is not one of ORC-7, TQ1-9, OBR-27, OBR-5");
        }
    }

    public enum PriorityMessage {
        ORM, NONE;

        public static PriorityMessage parse(String text) {
            String t = text.trim();
            if (t.equalsIgnoreCase("ORM") || t.equalsIgnoreCase("ORM^O01")) return ORM;
            if (t.equalsIgnoreCase("none") || t.isEmpty()) return NONE;
            throw new IllegalArgumentException("'" + text + "' is not ORM^O01 or none");
        }
    }

    public static final Map<String, String> DEFAULT_PRIORITY_CODES = Map.of("URGENT", "S", "HIGH", "A");

    public static Hl7Options defaults() {
        return new Hl7Options("TRIAGE", "", "", "", "P", EnumSet.of(OrderNumberField.FILLER), PriorityMessage.ORM, "XO",
                DEFAULT_PRIORITY_CODES, EnumSet.of(PriorityField.ORC_7, PriorityField.TQ1_9, PriorityField.OBR_27), "", "99TRG", "",
                "AI chest radiograph triage", "", "UNICODE UTF-8", false);
    }

    public Hl7Options {
        if (!Set.of("P", "T", "D").contains(processingId)) throw new IllegalArgumentException("processingId must be P, T or D, got '" + processingId + "'");
        if (accessionNumberIn.isEmpty()) throw new IllegalArgumentException("accessionNumberIn needs at least one of placer, filler, placerField1");
        accessionNumberIn = Set.copyOf(accessionNumberIn);
        priorityFields = Set.copyOf(priorityFields);
        for (Map.Entry<String, String> e : priorityCodes.entrySet()) {
            if (!Set.of("URGENT", "HIGH", "ROUTINE").contains(e.getKey())) {
                throw new IllegalArgumentException("priorityCodes: '" + e.getKey() + "' is not URGENT, HIGH or ROUTINE");
            }
            if (e.getValue() == null || e.getValue().isBlank()) throw new IllegalArgumentException("priorityCodes: " + e.getKey() + " has no code");
        }
        priorityCodes = Map.copyOf(new LinkedHashMap<>(priorityCodes));
        if (!Set.of("UNICODE UTF-8", "8859/1").contains(characterSet)) {
            throw new IllegalArgumentException("characterSet must be 'UNICODE UTF-8' or '8859/1', got '" + characterSet + "'");
        }
        if (priorityMessage == PriorityMessage.ORM && priorityFields.stream().noneMatch(f -> f != PriorityField.TQ1_9)) {
            throw new IllegalArgumentException("priorityFields: the ORM^O01 has no TQ1; name ORC-7, OBR-27 or OBR-5 too");
        }
        if (priorityOrderControl == null || priorityOrderControl.length() != 2) {
            throw new IllegalArgumentException("priorityOrderControl must be a two-letter order control code (table 0119), got '" + priorityOrderControl + "'");
        }
    }

    /** The table 0027 code for a triage priority, or null when this site's messages leave that priority out. */
    public String priorityCode(String priority) { return priority == null ? null : priorityCodes.get(priority); }

    /** Whether a result of this priority gets the priority message: URGENT and HIGH only, when it has a code. */
    public boolean wantsPriorityMessage(String priority) {
        return priorityMessage == PriorityMessage.ORM && ("URGENT".equals(priority) || "HIGH".equals(priority)) && priorityCode(priority) != null;
    }
}
