-- The public log (docs/log.md): every colour change and every operator's
-- or official's action, one row each, written in the action's own
-- transaction with no leaf yet. The sequencer gives committed rows their
-- leaf numbers, 0, 1, 2… with no gap, stores the Merkle tree's hashes
-- (golang.org/x/mod/sumdb/tlog's stored hashes, by their index) and the
-- signed tree heads. body is the entry's canonical bytes, the leaf itself;
-- history_hash, a history entry's hash (status_history.hash) when the
-- entry records one, finds a person's entries in the log; salt is the 32
-- random bytes its published commitment is keyed with, which only the
-- person is shown (docs/log.md: an outsider cannot link entries).
CREATE TABLE log_entries (
	id           INTEGER PRIMARY KEY,
	leaf         INTEGER UNIQUE,
	body         BLOB NOT NULL,
	history_hash BLOB,
	salt         BLOB
);
CREATE INDEX log_entries_history ON log_entries (history_hash) WHERE history_hash IS NOT NULL;
-- The sequencer's queue, the rows still without a leaf, is read through
-- leaf's own index: its NULLs sit together, in rowid order.
CREATE TABLE log_hashes (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE log_heads (
	size      INTEGER PRIMARY KEY,
	hash      BLOB NOT NULL,
	note      BLOB NOT NULL,
	signed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Append-only, as status_history: an entry may only be given its leaf,
-- once; hashes and heads never change. (Whoever can drop these triggers
-- can still rewrite a row: the signed heads, kept outside, catch that.)
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
	WHEN OLD.leaf IS NOT NULL OR NEW.leaf IS NULL OR NEW.id IS NOT OLD.id OR NEW.body IS NOT OLD.body
		OR NEW.history_hash IS NOT OLD.history_hash OR NEW.salt IS NOT OLD.salt
BEGIN
	SELECT RAISE(ABORT, 'log_entries is append-only');
END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN
	SELECT RAISE(ABORT, 'log_entries is append-only');
END;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN
	SELECT RAISE(ABORT, 'log_hashes is append-only');
END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN
	SELECT RAISE(ABORT, 'log_hashes is append-only');
END;
CREATE TRIGGER log_heads_no_update BEFORE UPDATE ON log_heads
BEGIN
	SELECT RAISE(ABORT, 'log_heads is append-only');
END;
CREATE TRIGGER log_heads_no_delete BEFORE DELETE ON log_heads
BEGIN
	SELECT RAISE(ABORT, 'log_heads is append-only');
END;
