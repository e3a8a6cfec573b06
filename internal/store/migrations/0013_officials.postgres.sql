-- Officials' accounts (docs/officials.md): people, not keys, each with a
-- role and a scope in the division hierarchy. The password is an argon2id
-- hash, the TOTP secret sealed; totp_step is the last code's step, so a
-- code is taken once. A run of failed logins locks the account.
CREATE TABLE officials (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	login         text NOT NULL UNIQUE,
	role          text NOT NULL,
	scope         text NOT NULL,
	password_hash text NOT NULL,
	totp_sealed   bytea NOT NULL,
	totp_step     bigint NOT NULL DEFAULT 0,
	created_at    timestamptz NOT NULL,
	created_by    text NOT NULL,
	disabled_at   timestamptz,
	failed_logins integer NOT NULL DEFAULT 0,
	failed_since  timestamptz,
	locked_until  timestamptz
);
CREATE INDEX officials_scope ON officials (scope);

CREATE TABLE official_sessions (
	token_hash  bytea PRIMARY KEY,
	official_id bigint NOT NULL REFERENCES officials (id),
	created_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL
);
CREATE INDEX official_sessions_official ON official_sessions (official_id);
CREATE INDEX official_sessions_expires ON official_sessions (expires_at);

-- Who saw a person's identity in clear, and why. An audit record: never
-- changed, and free of foreign keys so that deleting data never breaks it.
CREATE TABLE unmaskings (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	official_id bigint NOT NULL,
	person_id   bigint NOT NULL,
	reason      text NOT NULL,
	category    text NOT NULL,
	at          timestamptz NOT NULL
);
CREATE INDEX unmaskings_person ON unmaskings (person_id, at);

-- A person's town or community within their region ('' for none): what
-- puts them in the scope of officials below the district. The indexes
-- serve an official's scope page by page in id order: a district by its
-- region, a town or community by its region and a range of community.
ALTER TABLE persons ADD COLUMN community text NOT NULL DEFAULT '';
CREATE INDEX persons_region ON persons (region, id);
CREATE INDEX persons_division ON persons (region, community, id);
