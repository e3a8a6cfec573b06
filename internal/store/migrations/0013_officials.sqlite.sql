-- Officials' accounts (docs/officials.md): people, not keys, each with a
-- role and a scope in the division hierarchy. The password is an argon2id
-- hash, the TOTP secret sealed; totp_step is the last code's step, so a
-- code is taken once. A run of failed logins locks the account.
CREATE TABLE officials (
	id            INTEGER PRIMARY KEY,
	login         TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	scope         TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_sealed   BLOB NOT NULL,
	totp_step     INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	created_by    TEXT NOT NULL,
	disabled_at   INTEGER,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	failed_since  INTEGER,
	locked_until  INTEGER
);
CREATE INDEX officials_scope ON officials (scope);

CREATE TABLE official_sessions (
	token_hash  BLOB PRIMARY KEY,
	official_id INTEGER NOT NULL REFERENCES officials (id),
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
);
CREATE INDEX official_sessions_official ON official_sessions (official_id);
CREATE INDEX official_sessions_expires ON official_sessions (expires_at);

-- Who saw a person's identity in clear, and why. An audit record: never
-- changed, and free of foreign keys so that deleting data never breaks it.
CREATE TABLE unmaskings (
	id          INTEGER PRIMARY KEY,
	official_id INTEGER NOT NULL,
	person_id   INTEGER NOT NULL,
	reason      TEXT NOT NULL,
	category    TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX unmaskings_person ON unmaskings (person_id, at);

-- A person's town or community within their region ('' for none): what
-- puts them in the scope of officials below the district. The indexes
-- serve an official's scope page by page in id order: a district by its
-- region, a town or community by its region and a range of community.
ALTER TABLE persons ADD COLUMN community TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_region ON persons (region, id);
CREATE INDEX persons_division ON persons (region, community, id);
