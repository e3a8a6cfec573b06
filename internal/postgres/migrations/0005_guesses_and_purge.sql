-- Wrong one-time-code guesses are counted per phone in a window, whatever
-- code they were for: asking for a new code gives no new guesses
-- (Tx.CountGuess). Codes no longer count their own attempts.
CREATE TABLE otp_guesses (
	phone_hash   bytea PRIMARY KEY,
	window_start timestamptz NOT NULL,
	guesses      integer NOT NULL
);
ALTER TABLE otps DROP COLUMN attempts;

-- Store.Purge deletes what has expired by these.
CREATE INDEX otps_expires ON otps (expires_at);
CREATE INDEX otp_guesses_window ON otp_guesses (window_start);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);
