-- A job that only one node can do: prepare reads the DICOM file, which lives in the receiving node's spool.
-- Null: any node may claim it (infer reads the canonical image from the database).
alter table job add column node text;
drop index job_claimable;
create index job_claimable on job (kind, priority desc, next_attempt_at, id) where state = 'queued';

-- The prepare stage's decision per instance; ineligible ones go no further and say why.
create table eligibility (
    instance_id bigint primary key references instance (id),
    eligible    boolean not null,
    rule        text,             -- the rule that admitted it
    reason      text,             -- why not, when not eligible
    decided_at  timestamptz not null default now()
);

-- The canonical 8-bit grayscale rendering the model sees, so inference nodes need no shared filesystem.
create table canonical_image (
    instance_id    bigint primary key references instance (id),
    png            bytea not null,
    width          integer not null,
    height         integer not null,
    source_width   integer not null,
    source_height  integer not null,
    window_center  double precision,
    window_width   double precision,
    window_source  text not null,
    render_ms      integer not null,
    rendered_at    timestamptz not null default now()
);

-- One score per image and model version: a re-run job cannot score an image twice.
create table score (
    id                 bigserial primary key,
    instance_id        bigint not null references instance (id),
    model_id           text not null,
    model_version      text not null,
    demo_model         boolean not null,
    score              double precision not null,
    priority           text not null,
    operating_points   text not null,      -- comma-separated names of the operating points passed
    label_scores       text not null,      -- label=probability, comma-separated
    provider           text not null,      -- cuda or cpu
    batch_size         integer not null,
    tensor_ms          integer not null,
    run_ms             integer not null,
    node               text not null,
    scored_at          timestamptz not null default now(),
    unique (instance_id, model_id, model_version)
);
