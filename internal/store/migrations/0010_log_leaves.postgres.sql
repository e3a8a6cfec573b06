-- The public log's leaves move out of log_entries (docs/log.md). Giving
-- an entry its leaf by UPDATE rewrote the whole row and three of its
-- indexes: the sequencer cost more than the writers. Now an entry is
-- written once and never changed, and the sequencer records its leaf in
-- log_leaves. It finds the entries still to place by id, after the
-- latest head's through: every entry up to that id has its leaf (see
-- the store's PendingLog for why no later id can still appear below it).
CREATE TABLE log_leaves (
	leaf  bigint PRIMARY KEY,
	entry bigint NOT NULL UNIQUE
);
INSERT INTO log_leaves (leaf, entry) SELECT leaf, id FROM log_entries WHERE leaf IS NOT NULL;

ALTER TABLE log_heads ADD COLUMN through bigint;
DROP TRIGGER log_heads_no_change ON log_heads;
UPDATE log_heads SET through = coalesce((SELECT min(id) FROM log_entries WHERE leaf IS NULL),
	(SELECT max(id) + 1 FROM log_entries), 1) - 1
	WHERE size = (SELECT max(size) FROM log_heads);

DROP TRIGGER log_entries_no_change ON log_entries;
-- Drops the leaf's unique index and log_entries_pending with it.
ALTER TABLE log_entries DROP COLUMN leaf;

-- A colour change's entry names its history row by id, not by hash: ids
-- grow as entries are written, so their index is appended to, where the
-- hashes' was written at random (on SQLite, half of an entry's cost).
ALTER TABLE log_entries ADD COLUMN history_id bigint;
UPDATE log_entries e SET history_id = h.id FROM status_history h WHERE h.hash = e.history_hash;
DROP INDEX log_entries_history;
CREATE INDEX log_entries_history_id ON log_entries (history_id) WHERE history_id IS NOT NULL;

CREATE OR REPLACE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OR DELETE ON log_entries
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_heads_no_change BEFORE UPDATE OR DELETE ON log_heads
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_leaves_no_change BEFORE UPDATE OR DELETE ON log_leaves
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_leaves_no_truncate BEFORE TRUNCATE ON log_leaves
	FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
