-- The Patient and General Study attributes result documents copy, kept from the newest image received
-- (an encoded data set, character set included): report and dispatch run on any node, with no file.
alter table study add column attributes bytea;

-- What a result was decided from (each image's outcome), so a study reported again with nothing new
-- gets no second revision.
alter table study_result add column inputs_digest text;

-- A node whose heartbeat stopped for cluster.nodeLostSeconds is declared lost: jobs pinned to it fail
-- with the reason. A heartbeat clears it.
alter table node add column lost_at timestamptz;
