package org.triagerouter.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ca.uhn.hl7v2.HL7Exception;
import org.junit.jupiter.api.Test;

class Hl7AckTest {
    @Test
    void acceptCodesDeliverErrorCodesRetryRejectCodesFail() throws Exception {
        for (String code : new String[] {"AA", "CA"}) assertEquals(Hl7Ack.Verdict.ACCEPTED, ack(code).verdict());
        for (String code : new String[] {"AE", "CE", "XX"}) assertEquals(Hl7Ack.Verdict.RETRY, ack(code).verdict());
        for (String code : new String[] {"AR", "CR"}) assertEquals(Hl7Ack.Verdict.REJECTED, ack(code).verdict());
    }

    @Test
    void theTextComesFromMsa3AndEachErr() throws Exception {
        Hl7Ack v251 = Hl7Ack.parse("MSH|^~\\&|RIS|H|TRIAGE||20240101||ACK^O01^ACK|9|P|2.5.1\rMSA|AR|TR1-1-ORM|Rejected\r"
                + "ERR||OBR^1^3|204^Unknown key identifier^HL70357|E||||Order ACC-1 is not known\r");
        assertEquals("AR", v251.code());
        assertEquals("TR1-1-ORM", v251.controlId());
        assertEquals("Rejected; Unknown key identifier; Order ACC-1 is not known; at OBR-3", v251.text());
        assertEquals("AR: Rejected; Unknown key identifier; Order ACC-1 is not known; at OBR-3", v251.describe());

        // A v2.3 peer: ERR-1 is the old error code and location.
        Hl7Ack v23 = Hl7Ack.parse("MSH|^~\\&|RIS|H|TRIAGE||20240101||ACK|9|P|2.3\nMSA|AE|TR1-1-ORU\nERR|PID^1^3^204&Unknown patient\n");
        assertEquals("AE", v23.code());
        assertEquals("Unknown patient", v23.text());

        // The same words in MSA-3 and ERR-8 are said once.
        assertEquals("Unknown order; Application internal error", Hl7Ack.parse("MSH|^~\\&|RIS|H|TRIAGE||20240101||ACK|9|P|2.5.1\r"
                + "MSA|AR|TR1-1-ORU|Unknown order\rERR|||207^Application internal error^HL70357|E||||Unknown order\r").text());
    }

    @Test
    void anAnswerWithoutMsaIsNotAnAcknowledgment() {
        assertThrows(HL7Exception.class, () -> Hl7Ack.parse("MSH|^~\\&|RIS|H|TRIAGE||20240101||ADT^A01|9|P|2.5.1\rEVN|A01\r"));
    }

    private static Hl7Ack ack(String code) throws HL7Exception {
        return Hl7Ack.parse("MSH|^~\\&|RIS|H|TRIAGE||20240101||ACK^R01^ACK|9|P|2.5.1\rMSA|" + code + "|TR1-1-ORU\r");
    }
}
