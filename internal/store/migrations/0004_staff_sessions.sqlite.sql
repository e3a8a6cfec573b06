-- Staff sessions: a checkpoint or an admin logs in to the staff pages with
-- their API key, and the browser keeps this session's token instead of the
-- key, so that logging out ends it (StaffSession).
CREATE TABLE staff_sessions (
	token_hash BLOB PRIMARY KEY,
	key_hash   BLOB NOT NULL REFERENCES api_keys (hash),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
