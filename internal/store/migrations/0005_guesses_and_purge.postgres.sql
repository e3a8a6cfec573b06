-- Guesses at one-time codes are counted per phone, whatever code they were
-- for: asking for a new code gives no new guesses (Tx.CountGuess). A run
-- of guesses ends only after a quiet spell with none, so no edge of a fixed
-- window lets a second batch through. Codes no longer count their own.
CREATE TABLE otp_guesses (
	phone_hash bytea PRIMARY KEY,
	last_at    timestamptz NOT NULL,
	guesses    integer NOT NULL
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
	id          bigint PRIMARY KEY, -- the fact's own id, as history names it
	person_id   bigint NOT NULL,
	kind        text NOT NULL,
	at          timestamptz NOT NULL,
	recorded_at timestamptz NOT NULL,
	source      text NOT NULL,
	source_ref  text NOT NULL DEFAULT '',
	author      text NOT NULL,
	body        jsonb NOT NULL,
	voided_at   timestamptz NOT NULL,
	reason      text NOT NULL
);
CREATE INDEX voided_facts_person ON voided_facts (person_id);
