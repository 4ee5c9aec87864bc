-- Instances per study, kept by ingest: a study is open (needs a report) while it has more than its last
-- report covered. The partial index keeps the completion sweep to open studies, however big the archive.
alter table study add column instance_count integer not null default 0;
update study set instance_count = (select count(*) from instance i where i.study_id = study.id);
create index study_open on study (id) where instance_count > reported_instance_count;
