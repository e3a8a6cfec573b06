-- The public log's leaves move out of log_entries (docs/log.md). Giving
-- an entry its leaf by UPDATE rewrote the whole row and its indexes: the
-- sequencer cost more than the writers. Now an entry is written once and
-- never changed, and the sequencer records its leaf in log_leaves. It
-- finds the entries still to place by id, after the latest head's
-- through: every entry up to that id has its leaf.
CREATE TABLE log_leaves (
	leaf  INTEGER PRIMARY KEY,
	entry INTEGER NOT NULL UNIQUE
);
INSERT INTO log_leaves (leaf, entry) SELECT leaf, id FROM log_entries WHERE leaf IS NOT NULL;

ALTER TABLE log_heads ADD COLUMN through INTEGER;
DROP TRIGGER log_heads_no_update;
UPDATE log_heads SET through = coalesce((SELECT min(id) FROM log_entries WHERE leaf IS NULL),
	(SELECT max(id) + 1 FROM log_entries), 1) - 1
	WHERE size = (SELECT max(size) FROM log_heads);
CREATE TRIGGER log_heads_no_update BEFORE UPDATE ON log_heads
BEGIN
	SELECT RAISE(ABORT, 'log_heads is append-only');
END;

-- SQLite drops no UNIQUE column: the table is made again without leaf,
-- keeping every id (DROP TABLE fires no delete trigger).
DROP TRIGGER log_entries_no_update;
DROP TRIGGER log_entries_no_delete;
-- A colour change's entry names its history row by id, not by hash: ids
-- grow as entries are written, so their index is appended to, where the
-- hashes' was written at random (half of an entry's cost).
CREATE TABLE log_entries_new (
	id           INTEGER PRIMARY KEY,
	body         BLOB NOT NULL,
	history_hash BLOB,
	salt         BLOB,
	history_id   INTEGER
);
CREATE INDEX status_history_hash_once ON status_history (hash);
INSERT INTO log_entries_new (id, body, history_hash, salt, history_id)
	SELECT e.id, e.body, e.history_hash, e.salt, h.id FROM log_entries e LEFT JOIN status_history h ON h.hash = e.history_hash;
DROP INDEX status_history_hash_once;
DROP TABLE log_entries;
ALTER TABLE log_entries_new RENAME TO log_entries;
CREATE INDEX log_entries_history_id ON log_entries (history_id) WHERE history_id IS NOT NULL;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN
	SELECT RAISE(ABORT, 'log_entries is append-only');
END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN
	SELECT RAISE(ABORT, 'log_entries is append-only');
END;
CREATE TRIGGER log_leaves_no_update BEFORE UPDATE ON log_leaves
BEGIN
	SELECT RAISE(ABORT, 'log_leaves is append-only');
END;
CREATE TRIGGER log_leaves_no_delete BEFORE DELETE ON log_leaves
BEGIN
	SELECT RAISE(ABORT, 'log_leaves is append-only');
END;
