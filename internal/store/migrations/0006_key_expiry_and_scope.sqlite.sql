-- Keys may expire (NULL: never), and facts kept for people who have not
-- applied yet remember the region their sender may reach, as a prefix of
-- region codes ('' for any: rows from before, and the operator's own
-- ingest), so that TakePendingFacts attaches them only within it.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE pending_facts ADD COLUMN region_prefix TEXT NOT NULL DEFAULT '';
