-- The canonical PNG is already deflated, yet PostgreSQL tried to compress each one again (pglz over 220 KB, its
-- result thrown away): ~7 ms of the database's CPU per two-image study, measured with perf at full load. Out of line,
-- never compressed, as model_input already is. Rows written before keep their storage.
alter table canonical_image alter column png set storage external;
