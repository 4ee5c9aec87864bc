-- How many instances the study's last report covered: an instance arriving later re-opens the study.
alter table study add column reported_instance_count integer not null default 0;

-- One row per report of a study by a model: revision 1, then one more each time a re-opened study is reported.
create table study_result (
    id                  bigserial primary key,
    study_id            bigint not null references study (id),
    model_id            text not null,
    model_version       text not null,
    revision            integer not null,
    status              text not null check (status in ('REPORTED', 'NOT_ANALYZED', 'FAILED')),
    category            text,            -- ABNORMAL or NORMAL when REPORTED
    score               double precision,
    priority            text,            -- URGENT, HIGH or ROUTINE when REPORTED; never lower than a previous revision's
    reason              text,            -- why NOT_ANALYZED or FAILED
    image_count         integer not null,
    sr_series_uid       text,
    sr_sop_instance_uid text,
    sr                  bytea,           -- the Part 10 SR, so any node can dispatch it
    created_at          timestamptz not null default now(),
    unique (study_id, model_id, model_version, revision)
);

-- The outbox: one delivery per result and destination.
create table delivery (
    id              bigserial primary key,
    study_result_id bigint not null references study_result (id),
    destination     text not null,
    state           text not null default 'pending' check (state in ('pending', 'delivered', 'failed', 'shadow')),
    attempts        integer not null default 0,
    last_status     text,
    last_error      text,
    delivered_at    timestamptz,
    unique (study_result_id, destination)
);
