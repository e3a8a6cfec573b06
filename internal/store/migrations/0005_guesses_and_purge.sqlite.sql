-- Guesses at one-time codes are counted per phone, whatever code they were
-- for: asking for a new code gives no new guesses (Tx.CountGuess). A run
-- of guesses ends only after a quiet spell with none, so no edge of a fixed
-- window lets a second batch through. Codes no longer count their own.
CREATE TABLE otp_guesses (
	phone_hash BLOB PRIMARY KEY,
	last_at    INTEGER NOT NULL,
	guesses    INTEGER NOT NULL
);
ALTER TABLE otps DROP COLUMN attempts;

-- Store.Purge deletes what has expired by these.
CREATE INDEX otps_expires ON otps (expires_at);
CREATE INDEX otp_guesses_last ON otp_guesses (last_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

-- What a wrong claim on an identity said itself (declarations, check-ins,
-- venue visits), set aside when the verified owner takes the identity back
-- (Tx.VoidFacts): kept for investigators, never evaluated again.
CREATE TABLE voided_facts (
	id          INTEGER PRIMARY KEY, -- the fact's own id, as history names it
	person_id   INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL,
	source      TEXT NOT NULL,
	source_ref  TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL,
	body        TEXT NOT NULL,
	voided_at   INTEGER NOT NULL,
	reason      TEXT NOT NULL
);
CREATE INDEX voided_facts_person ON voided_facts (person_id);
