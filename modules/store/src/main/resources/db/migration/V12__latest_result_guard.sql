-- A result inserted late (a slow node finishing an older revision) must not displace a newer one on the
-- study row: only a result at least as new, by (created_at, revision), becomes the study's latest.
create or replace function study_result_is_latest() returns trigger language plpgsql as $$
begin
    update study s set latest_result_id = new.id, worklist_rank = worklist_rank(new.priority), latest_category = new.category
     where s.id = new.study_id
       and (s.latest_result_id is null
            or (select (r.created_at, r.revision) <= (new.created_at, new.revision) from study_result r where r.id = s.latest_result_id));
    return new;
end
$$;

-- The overview counts deliveries still to do or given up on, whatever their age; delivered ones only recently.
create index delivery_open on delivery (destination, state) where state in ('pending', 'failed');
