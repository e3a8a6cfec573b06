-- Times are INTEGER microseconds since the Unix epoch (UTC), the precision
-- PostgreSQL keeps, so that history hashes agree across stores.
CREATE TABLE accounts (
	id           INTEGER PRIMARY KEY,
	phone_hash   BLOB NOT NULL UNIQUE,
	phone_sealed BLOB NOT NULL,
	created_at   INTEGER NOT NULL
);

CREATE TABLE otps (
	phone_hash BLOB PRIMARY KEY,
	code_hash  BLOB NOT NULL,
	sent_at    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
	id         INTEGER PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	region     TEXT NOT NULL,
	kinds      TEXT NOT NULL DEFAULT '[]', -- JSON array: the feed kinds a feed key may send
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE persons (
	id                INTEGER PRIMARY KEY,
	owner_id          INTEGER NOT NULL REFERENCES accounts (id),
	relation          TEXT NOT NULL,
	doc_type          TEXT NOT NULL,
	id_hash           BLOB NOT NULL UNIQUE,
	id_sealed         BLOB NOT NULL,
	name_sealed       BLOB NOT NULL,
	name_masked       TEXT NOT NULL,
	id_tail           TEXT NOT NULL,
	phone_hash        BLOB NOT NULL,
	phone_sealed      BLOB NOT NULL,
	region            TEXT NOT NULL,
	code_id           BLOB NOT NULL UNIQUE,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	reapplied         INTEGER NOT NULL DEFAULT 0,
	modified          INTEGER NOT NULL DEFAULT 0,
	modified_on       TEXT NOT NULL DEFAULT '',
	modified_that_day INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX persons_owner ON persons (owner_id, id);
-- One person, one code: an account applies for itself once.
CREATE UNIQUE INDEX persons_one_self ON persons (owner_id) WHERE relation = 'self';

CREATE TABLE facts (
	id          INTEGER PRIMARY KEY,
	person_id   INTEGER NOT NULL REFERENCES persons (id),
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL,
	source      TEXT NOT NULL,
	source_ref  TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL,
	body        TEXT NOT NULL
);
CREATE INDEX facts_person ON facts (person_id, at, id);
-- A feed's record is stored once however often it is sent (AddFacts).
CREATE UNIQUE INDEX facts_source_ref ON facts (source, source_ref) WHERE source_ref <> '';

-- Facts sent by feeds about people who have not applied yet, kept under
-- the identity's lookup hash until they do (TakePendingFacts).
CREATE TABLE pending_facts (
	id          INTEGER PRIMARY KEY,
	id_hash     BLOB NOT NULL,
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL,
	source      TEXT NOT NULL,
	source_ref  TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL,
	body        TEXT NOT NULL
);
CREATE INDEX pending_facts_identity ON pending_facts (id_hash);
CREATE UNIQUE INDEX pending_facts_source_ref ON pending_facts (source, source_ref) WHERE source_ref <> '';

CREATE TABLE statuses (
	person_id    INTEGER PRIMARY KEY REFERENCES persons (id),
	color        INTEGER NOT NULL,
	since        INTEGER NOT NULL,
	policy       TEXT NOT NULL,
	rule         TEXT NOT NULL,
	fact_ids     TEXT NOT NULL,
	reason       TEXT NOT NULL,
	next         TEXT NOT NULL,
	detail       TEXT NOT NULL DEFAULT '{}',
	next_eval_at INTEGER,
	evaluated_at INTEGER NOT NULL,
	head_seq     INTEGER NOT NULL DEFAULT 0,
	head_hash    BLOB
);
CREATE INDEX statuses_due ON statuses (next_eval_at) WHERE next_eval_at IS NOT NULL;

-- The colour history is append-only and has no foreign keys, so that no
-- deletion elsewhere can ever break it.
CREATE TABLE status_history (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	from_color INTEGER NOT NULL,
	to_color   INTEGER NOT NULL,
	rule       TEXT NOT NULL,
	fact_ids   TEXT NOT NULL,
	author     TEXT NOT NULL,
	at         INTEGER NOT NULL,
	prev_hash  BLOB,
	hash       BLOB NOT NULL,
	UNIQUE (person_id, seq)
);
CREATE TRIGGER status_history_no_update BEFORE UPDATE ON status_history
BEGIN
	SELECT RAISE(ABORT, 'status_history is append-only');
END;
CREATE TRIGGER status_history_no_delete BEFORE DELETE ON status_history
BEGIN
	SELECT RAISE(ABORT, 'status_history is append-only');
END;
