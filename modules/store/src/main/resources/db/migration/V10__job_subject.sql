-- The study page and the failures list find a study's jobs by subject (an instance, study or delivery);
-- the partial indexes cover only live and failed jobs, and done jobs are most of the table.
create index job_subject on job (subject, kind);
