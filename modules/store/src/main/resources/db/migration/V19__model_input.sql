-- Each configured model's input as the model takes it, written by the prepare stage beside the canonical image:
-- 8-bit grayscale, width x height bytes row by row, uncompressed, so the infer stage reads and normalises it
-- without decoding a PNG or resizing. Keyed by the model's geometry ("224x224 stretch"): models sharing one share it.
-- It goes with its canonical image (retention, study pruning): an input never outlives the image it was made from.
create table model_input (
    instance_id  bigint not null references canonical_image (instance_id) on delete cascade,
    geometry     text not null,
    width        integer not null,
    height       integer not null,
    pixels       bytea not null,
    created_at   timestamptz not null default now(),
    primary key (instance_id, geometry)
);
-- Out of line and never compressed: reading an input is a copy, not a decompression on the database's CPU.
alter table model_input alter column pixels set storage external;
