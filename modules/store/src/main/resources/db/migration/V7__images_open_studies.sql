-- Only images open a study for reporting (an SR or KOS arriving later, ours included, must not re-open it).
update study set instance_count = (select count(*) from instance i where i.study_id = study.id and i.rows > 0);
-- The report stage looks up the last failure of each image's jobs.
create index job_failed_subject on job (subject, kind) where state = 'failed';
