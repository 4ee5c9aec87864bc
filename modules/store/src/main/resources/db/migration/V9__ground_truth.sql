-- Radiologists' final reads (or any reference standard), one per study, posted through the API or loaded by
-- `evaluate --labels`: what the model page's agreement and `evaluate`/`simulate` compare the AI against.
create table ground_truth (
    study_id    bigint primary key references study (id),
    label       text not null check (label in ('NORMAL', 'ABNORMAL')),
    reader      text,                     -- who read it, as the sender says; never shown with PHI
    source      text not null,            -- api, or the labels file's name
    recorded_at timestamptz not null default now()
);
create index ground_truth_recorded on ground_truth (recorded_at);
