-- Risk-area designations, stored once per announcement, and the index
-- that finds the stays a designation colours: those reported without a
-- level, by area (StayerIDs), each person's in id order.
CREATE TABLE designations (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	area        text NOT NULL,
	level       text NOT NULL,
	from_at     timestamptz NOT NULL,
	to_at       timestamptz,
	source      text NOT NULL,
	source_ref  text NOT NULL,
	author      text NOT NULL,
	recorded_at timestamptz NOT NULL,
	UNIQUE (source, source_ref)
);
CREATE INDEX designations_area ON designations (area);
CREATE INDEX facts_stays ON facts ((body->>'area'), person_id) WHERE kind = 'area_stay' AND body->>'level' = '';
