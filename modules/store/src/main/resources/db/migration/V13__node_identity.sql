-- A node name belongs to one live process. The process that claims it writes its identity here, and
-- only that process renews the heartbeat. Another process may take the name once the heartbeat is stale,
-- once the holder released it (process_id null: stopped cleanly, or a row from before this migration), or
-- at once when the holder's pid is dead in the same PID namespace (a crash restarted on the same host).
alter table node
    add column process_id    text,              -- random per start
    add column host          text,              -- where the holder runs, for the message that refuses a duplicate
    add column pid           bigint,
    add column pid_namespace text;              -- kernel boot id and PID namespace, where the pid means that process (Linux)
