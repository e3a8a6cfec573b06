-- One open workflow of each kind per person, not only one open appeal: two
-- home releases or error corrections open at once would each end in a
-- transfer, and officials would answer the same case twice.
DROP INDEX workflows_open_appeal;
CREATE UNIQUE INDEX workflows_open_kind ON workflows (person_id, kind) WHERE closed_at IS NULL;
