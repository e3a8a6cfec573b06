-- Risk-area designations, stored once per announcement, and the index
-- that finds the stays a designation colours: those reported without a
-- level, by area (StayerIDs), each person's in id order.
CREATE TABLE designations (
	id          INTEGER PRIMARY KEY,
	area        TEXT NOT NULL,
	level       TEXT NOT NULL,
	from_at     INTEGER NOT NULL,
	to_at       INTEGER,
	source      TEXT NOT NULL,
	source_ref  TEXT NOT NULL,
	author      TEXT NOT NULL,
	recorded_at INTEGER NOT NULL,
	UNIQUE (source, source_ref)
);
CREATE INDEX designations_area ON designations (area);
CREATE INDEX facts_stays ON facts (json_extract(body, '$.area'), person_id)
	WHERE kind = 'area_stay' AND json_extract(body, '$.level') = '';
