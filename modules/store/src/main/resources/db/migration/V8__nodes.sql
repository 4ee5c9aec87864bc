-- Router nodes sharing this database, for the dashboard's cluster view: each node upserts its row
-- every few seconds while it runs; a node whose heartbeat is old has stopped or lost the database.
create table node (
    name          text primary key,
    started_at    timestamptz not null,
    heartbeat_at  timestamptz not null,
    version       text not null,
    ae_title      text not null,
    dicom_port    integer not null,
    http_port     integer not null,
    model         text not null,            -- manifest id and version, or '' when this node runs no infer worker
    provider      text not null             -- cuda, cpu, or '' when no model is open here
);

-- The dashboard's charts read the last hour by these timestamps.
create index job_finished on job (finished_at) where finished_at is not null;
create index study_first_received on study (first_received_at);
create index study_result_created on study_result (created_at);
create index delivery_delivered on delivery (delivered_at) where delivered_at is not null;
create index instance_received on instance (received_at);
