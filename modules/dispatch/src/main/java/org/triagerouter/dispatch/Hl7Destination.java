package org.triagerouter.dispatch;

import org.triagerouter.hl7.Hl7Endpoint;
import org.triagerouter.hl7.Hl7Options;

/** An HL7 v2 destination: where its MLLP listener is and what its site expects in the messages. */
public record Hl7Destination(Hl7Endpoint endpoint, Hl7Options options) {}
