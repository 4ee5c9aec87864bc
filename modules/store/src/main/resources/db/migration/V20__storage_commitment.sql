-- Storage Commitment (PS3.4 Annex J) of a delivery to a destination with storageCommitment: true. One row per
-- N-ACTION, written before it is sent: the N-EVENT-REPORT may come on a new association to any node, which finds the
-- row by its Transaction UID. The delivery stays delivered whatever becomes of its commitment.
create table storage_commitment (
    transaction_uid      text primary key,
    delivery_id          bigint not null references delivery (id) on delete cascade,
    state                text not null default 'requested' check (state in ('requested', 'committed', 'failed', 'timed_out')),
    sop_class_uids       text[] not null,       -- what the N-ACTION named, in the order sent
    sop_instance_uids    text[] not null,
    node                 text not null,         -- the node that sent the N-ACTION
    requested_at         timestamptz not null default now(),
    expires_at           timestamptz not null,  -- without a result by then the state turns timed_out
    answered_at          timestamptz,
    reported_by          text,                  -- the reporting AE and association
    failed_instance_uids text[],
    reason               text                   -- why failed or timed_out
);
create index storage_commitment_delivery on storage_commitment (delivery_id);
create index storage_commitment_waiting on storage_commitment (expires_at) where state = 'requested';
