-- The worklist reads studies most urgent first, then by arrival. Keeping each study's latest result and its
-- priority rank on the study row lets that order come straight from an index (a page of 200 out of a week's
-- 100,000 studies touches ~200 rows instead of joining every study to its results). A trigger keeps them right
-- whoever inserts the result: a newer result (a revision, another model) is the latest.
alter table study add column latest_result_id bigint references study_result (id);
alter table study add column worklist_rank smallint not null default 3;  -- 0 URGENT, 1 HIGH, 2 ROUTINE, 3 no priority yet
alter table study add column latest_category text;                      -- the latest result's, for the worklist's filter

create function worklist_rank(priority text) returns smallint language sql immutable as $$
    select case priority when 'URGENT' then 0 when 'HIGH' then 1 when 'ROUTINE' then 2 else 3 end::smallint
$$;

update study s set latest_result_id = r.id, worklist_rank = worklist_rank(r.priority), latest_category = r.category
  from (select distinct on (study_id) id, study_id, priority, category from study_result order by study_id, created_at desc, revision desc) r
 where r.study_id = s.id;

create function study_result_is_latest() returns trigger language plpgsql as $$
begin
    update study set latest_result_id = new.id, worklist_rank = worklist_rank(new.priority), latest_category = new.category
     where id = new.study_id;
    return new;
end
$$;
create trigger study_result_is_latest after insert on study_result for each row execute function study_result_is_latest();

create index study_worklist on study (worklist_rank, first_received_at, id);
-- Fresh statistics for the planner: the backfill rewrote every study row.
analyze study;
