-- SQLite keeps facts.person_id's foreign key, which PostgreSQL drops at
-- this number: the check is an in-process lookup of the primary key, cheap
-- beside the write itself, and with one writer at a time it can take no
-- lock that deadlocks. Dropping it would mean rebuilding the facts table,
-- the largest, in every existing file. This step therefore changes
-- nothing; it exists so that both dialects have every number
-- (docs/store.md).
SELECT 1;
