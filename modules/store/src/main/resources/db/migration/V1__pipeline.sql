-- The pipeline's tables. PostgreSQL is the queue and the source of truth: every stage claims
-- rows of the job table and records its outcome in one transaction.

create table study (
    id                  bigserial primary key,
    study_instance_uid  text not null unique,
    patient_id          text,            -- PHI: never logged at INFO
    patient_name        text,            -- PHI: never logged at INFO
    accession_number    text,
    first_received_at   timestamptz not null default now(),
    last_received_at    timestamptz not null default now()
);

create table series (
    id                  bigserial primary key,
    study_id            bigint not null references study (id),
    series_instance_uid text not null unique,
    modality            text,
    body_part_examined  text
);
create index series_study on series (study_id);

create table instance (
    id                         bigserial primary key,
    study_id                   bigint not null references study (id),
    series_id                  bigint not null references series (id),
    sop_instance_uid           text not null unique,
    sop_class_uid              text not null,
    transfer_syntax_uid        text not null,
    view_position              text,
    image_type                 text,
    photometric_interpretation text,
    rows                       integer,
    columns                    integer,
    node                       text not null,   -- whose spool holds the file
    file_path                  text not null,
    file_size                  bigint not null,
    calling_ae_title           text not null,
    association_id             text not null,
    priority                   text not null,
    received_at                timestamptz not null default now()
);
create index instance_study on instance (study_id);
create index instance_association on instance (association_id);

-- One row per association that negotiated, written when it ends (study completeness uses release).
create table association (
    id               text primary key,
    node             text not null,
    calling_ae_title text not null,
    called_ae_title  text not null,
    remote_address   text not null,
    opened_at        timestamptz not null,
    closed_at        timestamptz not null,
    released         boolean not null,
    instance_count   integer not null
);
create index association_closed on association (closed_at);

-- The work queue of every stage. A job is claimed with FOR UPDATE SKIP LOCKED and held by a lease:
-- a worker that dies stops renewing it, and once it expires another worker takes the job over.
create table job (
    id               bigserial primary key,
    kind             text not null,                 -- prepare, infer, report, dispatch, ...
    subject          text not null,                 -- what it is about: a SOP Instance UID, a study UID, ...
    state            text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed')),
    priority         integer not null default 0,    -- higher first
    attempts         integer not null default 0,
    max_attempts     integer not null default 5,
    next_attempt_at  timestamptz not null default now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    finished_at      timestamptz
);
-- At most one live job per kind and subject: enqueueing again while one waits or runs is a no-op.
create unique index job_live_subject on job (kind, subject) where state in ('queued', 'running');
create index job_claimable on job (kind, priority desc, next_attempt_at, id) where state = 'queued';
create index job_leased on job (kind, lease_expires_at) where state = 'running';
