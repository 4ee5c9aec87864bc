-- The Key Object Selection sent with an abnormal result to destinations that want one.
alter table study_result add column kos bytea;
