-- What officials record about persons (SPEC B7, D2). release_lists is the
-- audit of each isolation point's list of people released from
-- centralized isolation: the rows themselves became the persons' release
-- facts; sha256 is the file's, one list per division and file, so that a
-- list uploaded again is recognised. credit_records are false
-- declarations found, the person's credit record. Neither has a foreign
-- key: audit rows outlive what they speak of.
CREATE TABLE release_lists (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uploaded_by text NOT NULL,
	point       text NOT NULL,
	division    text NOT NULL,
	uploaded_at timestamptz NOT NULL,
	rows_count  integer NOT NULL,
	released    integer NOT NULL,
	sha256      bytea NOT NULL,
	UNIQUE (division, sha256)
);
CREATE INDEX release_lists_division ON release_lists (division text_pattern_ops, id);

CREATE TABLE credit_records (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id   bigint NOT NULL,
	finding     text NOT NULL,
	evidence    text NOT NULL,
	recorded_by text NOT NULL,
	at          timestamptz NOT NULL
);
CREATE INDEX credit_records_person ON credit_records (person_id, id);

-- Append-only, as status_history: a finding is answered by a workflow,
-- never by editing its record.
CREATE FUNCTION credit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'credit_records is append-only';
END;
$$;
CREATE TRIGGER credit_records_no_change BEFORE UPDATE OR DELETE ON credit_records
	FOR EACH ROW EXECUTE FUNCTION credit_records_append_only();
CREATE TRIGGER credit_records_no_truncate BEFORE TRUNCATE ON credit_records
	FOR EACH STATEMENT EXECUTE FUNCTION credit_records_append_only();
