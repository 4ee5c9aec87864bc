-- The result as a Secondary Capture image (the deciding image with the result in large text), for destinations whose
-- viewers do not show an SR; written with the SR, so any node can dispatch it.
alter table study_result add column result_image bytea;
