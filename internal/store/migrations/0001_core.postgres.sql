-- The schema of 0001_core.sqlite.sql in PostgreSQL
-- types. Times are timestamptz, which keeps microseconds: the precision
-- history hashes are computed at, so that both stores agree on them.
CREATE TABLE accounts (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	phone_hash   bytea NOT NULL UNIQUE,
	phone_sealed bytea NOT NULL,
	created_at   timestamptz NOT NULL
);

CREATE TABLE otps (
	phone_hash bytea PRIMARY KEY,
	code_hash  bytea NOT NULL,
	sent_at    timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	attempts   integer NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	account_id bigint NOT NULL REFERENCES accounts (id),
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash       bytea NOT NULL UNIQUE,
	name       text NOT NULL,
	role       text NOT NULL,
	region     text NOT NULL,
	kinds      text NOT NULL DEFAULT '[]', -- JSON array: the feed kinds a feed key may send
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

CREATE TABLE persons (
	id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_id          bigint NOT NULL REFERENCES accounts (id),
	relation          text NOT NULL,
	doc_type          text NOT NULL,
	id_hash           bytea NOT NULL UNIQUE,
	id_sealed         bytea NOT NULL,
	name_sealed       bytea NOT NULL,
	name_masked       text NOT NULL,
	id_tail           text NOT NULL,
	phone_hash        bytea NOT NULL,
	phone_sealed      bytea NOT NULL,
	region            text NOT NULL,
	code_id           bytea NOT NULL UNIQUE,
	created_at        timestamptz NOT NULL,
	updated_at        timestamptz NOT NULL,
	reapplied         boolean NOT NULL DEFAULT false,
	modified          integer NOT NULL DEFAULT 0,
	modified_on       text NOT NULL DEFAULT '',
	modified_that_day integer NOT NULL DEFAULT 0
);
CREATE INDEX persons_owner ON persons (owner_id, id);
-- One person, one code: an account applies for itself once.
CREATE UNIQUE INDEX persons_one_self ON persons (owner_id) WHERE relation = 'self';

CREATE TABLE facts (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id   bigint NOT NULL REFERENCES persons (id),
	kind        text NOT NULL,
	at          timestamptz NOT NULL,
	recorded_at timestamptz NOT NULL,
	source      text NOT NULL,
	source_ref  text NOT NULL DEFAULT '',
	author      text NOT NULL,
	body        jsonb NOT NULL
);
CREATE INDEX facts_person ON facts (person_id, at, id);
-- A feed's record is stored once however often it is sent (AddFacts).
CREATE UNIQUE INDEX facts_source_ref ON facts (source, source_ref) WHERE source_ref <> '';

-- Facts sent by feeds about people who have not applied yet, kept under
-- the identity's lookup hash until they do (TakePendingFacts).
CREATE TABLE pending_facts (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id_hash     bytea NOT NULL,
	kind        text NOT NULL,
	at          timestamptz NOT NULL,
	recorded_at timestamptz NOT NULL,
	source      text NOT NULL,
	source_ref  text NOT NULL DEFAULT '',
	author      text NOT NULL,
	body        jsonb NOT NULL
);
CREATE INDEX pending_facts_identity ON pending_facts (id_hash);
CREATE UNIQUE INDEX pending_facts_source_ref ON pending_facts (source, source_ref) WHERE source_ref <> '';

CREATE TABLE statuses (
	person_id    bigint PRIMARY KEY REFERENCES persons (id),
	color        smallint NOT NULL,
	since        timestamptz NOT NULL,
	policy       text NOT NULL,
	rule         text NOT NULL,
	fact_ids     jsonb NOT NULL,
	reason       jsonb NOT NULL,
	next         jsonb NOT NULL,
	detail       jsonb NOT NULL DEFAULT '{}',
	next_eval_at timestamptz,
	evaluated_at timestamptz NOT NULL,
	head_seq     bigint NOT NULL DEFAULT 0,
	head_hash    bytea
);
CREATE INDEX statuses_due ON statuses (next_eval_at) WHERE next_eval_at IS NOT NULL;

-- The colour history is append-only and has no foreign keys, so that no
-- deletion elsewhere can ever break it.
CREATE TABLE status_history (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id  bigint NOT NULL,
	seq        bigint NOT NULL,
	from_color smallint NOT NULL,
	to_color   smallint NOT NULL,
	rule       text NOT NULL,
	fact_ids   jsonb NOT NULL,
	author     text NOT NULL,
	at         timestamptz NOT NULL,
	prev_hash  bytea,
	hash       bytea NOT NULL,
	UNIQUE (person_id, seq)
);
CREATE FUNCTION status_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'status_history is append-only';
END;
$$;
CREATE TRIGGER status_history_no_change BEFORE UPDATE OR DELETE ON status_history
	FOR EACH ROW EXECUTE FUNCTION status_history_append_only();
-- Row triggers do not fire on TRUNCATE, which would empty the table at once.
CREATE TRIGGER status_history_no_truncate BEFORE TRUNCATE ON status_history
	FOR EACH STATEMENT EXECUTE FUNCTION status_history_append_only();
