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
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	leaf         bigint UNIQUE,
	body         bytea NOT NULL,
	history_hash bytea,
	salt         bytea
);
CREATE INDEX log_entries_history ON log_entries (history_hash) WHERE history_hash IS NOT NULL;
-- The sequencer's queue: only the rows still without a leaf.
CREATE INDEX log_entries_pending ON log_entries (id) WHERE leaf IS NULL;
CREATE TABLE log_hashes (
	idx  bigint PRIMARY KEY,
	hash bytea NOT NULL
);
CREATE TABLE log_heads (
	size      bigint PRIMARY KEY,
	hash      bytea NOT NULL,
	note      bytea NOT NULL,
	signed_at timestamptz NOT NULL
);

-- Append-only, as status_history: an entry may only be given its leaf,
-- once; hashes and heads never change. (Whoever can drop these triggers
-- can still rewrite a row: the signed heads, kept outside, catch that.)
CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'log_entries' AND OLD.leaf IS NULL AND NEW.leaf IS NOT NULL
		AND NEW.id = OLD.id AND NEW.body = OLD.body AND NEW.history_hash IS NOT DISTINCT FROM OLD.history_hash
		AND NEW.salt IS NOT DISTINCT FROM OLD.salt THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OR DELETE ON log_entries
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_hashes_no_change BEFORE UPDATE OR DELETE ON log_hashes
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_heads_no_change BEFORE UPDATE OR DELETE ON log_heads
	FOR EACH ROW EXECUTE FUNCTION log_append_only();
-- Row triggers do not fire on TRUNCATE.
CREATE TRIGGER log_entries_no_truncate BEFORE TRUNCATE ON log_entries
	FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_hashes_no_truncate BEFORE TRUNCATE ON log_hashes
	FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_heads_no_truncate BEFORE TRUNCATE ON log_heads
	FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
