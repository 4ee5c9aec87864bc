-- Spool retention runs every minute on every node: the files still in a node's spool, without scanning the history.
create index instance_spooled on instance (node, study_id) where file_deleted_at is null;
