-- HL7 v2 destinations (docs/hl7.md). A result says how it was made, so the messages a dispatch node builds
-- later carry the operating point and the not-for-clinical-use note of the model that made it.
alter table study_result add column operating_point text;
alter table study_result add column threshold double precision;
alter table study_result add column demo_model boolean;
alter table study_result add column clinical_use boolean;

-- What an HL7 delivery sent and what the peer answered, per message in sending order (ORM^O01 before ORU^R01).
-- hl7_order_key names the study identifier the order number fields carried: AccessionNumber, or StudyInstanceUID
-- for a study without one. A message whose ack code is AA or CA is not sent again when the delivery is retried.
alter table delivery add column hl7_order_key text;
alter table delivery add column hl7_message_types text[];
alter table delivery add column hl7_control_ids text[];
alter table delivery add column hl7_ack_codes text[];
alter table delivery add column hl7_ack_texts text[];
