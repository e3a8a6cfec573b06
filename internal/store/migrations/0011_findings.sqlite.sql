-- What officials record about persons (SPEC B7, D2). release_lists is the
-- audit of each isolation point's list of people released from
-- centralized isolation: the rows themselves became the persons' release
-- facts; sha256 is the file's, one list per division and file, so that a
-- list uploaded again is recognised. credit_records are false
-- declarations found, the person's credit record. Neither has a foreign
-- key: audit rows outlive what they speak of.
CREATE TABLE release_lists (
	id          INTEGER PRIMARY KEY,
	uploaded_by TEXT NOT NULL,
	point       TEXT NOT NULL,
	division    TEXT NOT NULL,
	uploaded_at INTEGER NOT NULL,
	rows_count  INTEGER NOT NULL,
	released    INTEGER NOT NULL,
	sha256      BLOB NOT NULL,
	UNIQUE (division, sha256)
);
CREATE INDEX release_lists_division ON release_lists (division, id);

CREATE TABLE credit_records (
	id          INTEGER PRIMARY KEY,
	person_id   INTEGER NOT NULL,
	finding     TEXT NOT NULL,
	evidence    TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX credit_records_person ON credit_records (person_id, id);

-- Append-only, as status_history: a finding is answered by a workflow,
-- never by editing its record.
CREATE TRIGGER credit_records_no_update BEFORE UPDATE ON credit_records
BEGIN
	SELECT RAISE(ABORT, 'credit_records is append-only');
END;
CREATE TRIGGER credit_records_no_delete BEFORE DELETE ON credit_records
BEGIN
	SELECT RAISE(ABORT, 'credit_records is append-only');
END;
