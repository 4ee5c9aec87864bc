package org.triagerouter.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Hl7PriorityMessageTest {
    @Test
    void anUrgentResultChangesTheOrderToStatInOrcAndObr() throws Exception {
        Hl7Message m = Hl7PriorityMessage.build(Hl7ResultMessageTest.study("ACC-1001"), Hl7ResultMessageTest.result(1, "ABNORMAL", 0.91, "URGENT"),
                Hl7Options.defaults(), Hl7ResultMessageTest.NOW, Hl7ResultMessageTest.ZONE);
        Er7 e = new Er7(m.text());
        assertEquals("ORM^O01", m.type());
        assertEquals("TR77-1-ORM", m.controlId());
        assertEquals(List.of("MSH", "PID", "ORC", "OBR"), e.ids());
        assertEquals("ORM^O01^ORM_O01", e.field("MSH", 9));
        assertEquals("TR77-1-ORM", e.field("MSH", 10));
        assertEquals("XO", e.field("ORC", 1));
        assertEquals("ACC-1001", e.field("ORC", 3));
        assertEquals("ACC-1001", e.field("OBR", 3));
        assertEquals("S", e.component("ORC", 7, 6));
        assertEquals("S", e.component("OBR", 27, 6));
        assertEquals("", e.field("OBR", 5));
        assertEquals("AI triage priority URGENT (ABNORMAL 0.91)", e.component("ORC", 16, 2));
        assertEquals("PID-42", e.field("PID", 3));
    }

    @Test
    void highIsAsapAndTheSiteChoosesCodesAndFields() throws Exception {
        Hl7Options o = Hl7ResultMessageTest.options(Map.of("URGENT", "S", "HIGH", "T"), EnumSet.of(Hl7Options.OrderNumberField.PLACER),
                EnumSet.of(Hl7Options.PriorityField.OBR_5, Hl7Options.PriorityField.TQ1_9));
        Er7 e = new Er7(Hl7PriorityMessage.build(Hl7ResultMessageTest.study(""), Hl7ResultMessageTest.result(1, "ABNORMAL", 0.6, "HIGH"), o,
                Hl7ResultMessageTest.NOW, Hl7ResultMessageTest.ZONE).text());
        assertEquals("T", e.field("OBR", 5));
        assertEquals("", e.field("ORC", 7));
        assertEquals("", e.field("OBR", 27));
        assertEquals("1.2.826.0.1.3680043.2.1125.1.42", e.field("ORC", 2), "no accession: the Study Instance UID is the order key");
        assertFalse(e.ids().contains("TQ1"), "the ORM^O01 has no TQ1");

        Er7 defaults = new Er7(Hl7PriorityMessage.build(Hl7ResultMessageTest.study("A"), Hl7ResultMessageTest.result(1, "ABNORMAL", 0.6, "HIGH"),
                Hl7Options.defaults(), Hl7ResultMessageTest.NOW, Hl7ResultMessageTest.ZONE).text());
        assertEquals("A", defaults.component("ORC", 7, 6), "HIGH is ASAP by default");
    }

    @Test
    void onlyUrgentAndHighGetAPriorityMessage() {
        Hl7Options d = Hl7Options.defaults();
        assertTrue(d.wantsPriorityMessage("URGENT"));
        assertTrue(d.wantsPriorityMessage("HIGH"));
        assertFalse(d.wantsPriorityMessage("ROUTINE"));
        assertFalse(d.wantsPriorityMessage(null));
        Hl7Options none = new Hl7Options(d.sendingApplication(), d.sendingFacility(), d.receivingApplication(), d.receivingFacility(), "P",
                d.accessionNumberIn(), Hl7Options.PriorityMessage.NONE, "XO", d.priorityCodes(), d.priorityFields(), "", "99TRG", "", "x", "",
                "UNICODE UTF-8", false);
        assertFalse(none.wantsPriorityMessage("URGENT"));
        assertThrows(IllegalArgumentException.class, () -> Hl7PriorityMessage.build(Hl7ResultMessageTest.study("A"),
                Hl7ResultMessageTest.result(1, "NORMAL", 0.1, "ROUTINE"), d, Hl7ResultMessageTest.NOW, Hl7ResultMessageTest.ZONE));
    }

    @Test
    void anOrmWithoutAnOrderPriorityFieldIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hl7ResultMessageTest.options(Map.of(),
                EnumSet.of(Hl7Options.OrderNumberField.FILLER), EnumSet.of(Hl7Options.PriorityField.TQ1_9)));
        assertTrue(e.getMessage().contains("no TQ1"), e.getMessage());
    }
}
