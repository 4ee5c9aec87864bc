-- Each node's spool space, written with its heartbeat, so any node's dashboard shows every node's disk.
alter table node add column spool_free_bytes bigint;
alter table node add column spool_floor_bytes bigint;
