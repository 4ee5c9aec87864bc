package org.triagerouter.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.group.ORM_O01_ORDER;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;

/**
 * The order-change message that moves an URGENT or HIGH study up a RIS worklist: an ORM^O01 (v2.5.1)
 * whose ORC-1 is the site's order control code (XO, change order request, by default) for the order
 * the Accession Number (else the Study Instance UID) names, with the site's priority code in the fields
 * it reads (ORC-7 and OBR-27 component 6 by default, OBR-5 if asked). ORC-16 says why, in words.
 */
public final class Hl7PriorityMessage {
    public static final String TYPE = "ORM^O01";

    private Hl7PriorityMessage() {}

    public static String controlId(Hl7Result result) {
        return MessageParts.controlId(result.resultId(), result.revision(), "ORM");
    }

    public static Hl7Message build(Hl7Study study, Hl7Result result, Hl7Options options, Instant now, ZoneId zone) throws HL7Exception {
        String code = options.priorityCode(result.priority());
        if (code == null) throw new IllegalArgumentException("no priority code for " + result.priority() + " at this destination");
        ORM_O01 orm = new ORM_O01();
        String controlId = controlId(result);
        MessageParts.header(orm.getMSH(), options, "ORM", "O01", "ORM_O01", controlId, now, zone);
        MessageParts.patient(orm.getPATIENT().getPID(), study, options);

        ORM_O01_ORDER order = orm.getORDER();
        ORC orc = order.getORC();
        orc.getOrderControl().setValue(options.priorityOrderControl());
        orc.getDateTimeOfTransaction().getTime().setValue(MessageParts.dtm(result.reportedAt(), zone));
        orc.getOrderControlCodeReason().getText().setValue(String.format(Locale.ROOT, "AI triage priority %s (%s%s)%s", result.priority(),
                result.category(), result.score() == null ? "" : String.format(Locale.ROOT, " %.2f", result.score()),
                result.notForClinicalUse() ? " NOT FOR CLINICAL USE" : ""));
        OBR obr = order.getORDER_DETAIL().getOBR();
        obr.getSetIDOBR().setValue("1");
        MessageParts.orderNumbers(orc, obr, study.orderKey(), options);
        MessageParts.procedure(obr, study, options);
        MessageParts.orderPriority(orc, obr, code, options);
        String clinical = MessageParts.clinicalUseNote(result);
        if (clinical != null) MessageParts.note(order.getORDER_DETAIL().getNTE(0), 1, clinical);
        return MessageParts.encode(orm, orm.getMSH(), options, TYPE, controlId);
    }
}
