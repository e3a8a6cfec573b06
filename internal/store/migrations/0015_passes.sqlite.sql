-- Paper passes (docs/federation.md#paper-passes): a signed code printed by
-- a community worker for a person without a smartphone. The id is the
-- token's random code id, never the person's; division is the issuing
-- official's scope. A pass is revoked, never deleted.
CREATE TABLE passes (
	id          BLOB PRIMARY KEY,
	person_id   INTEGER NOT NULL REFERENCES persons (id),
	official_id INTEGER NOT NULL,
	division    TEXT NOT NULL,
	issued_at   INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	revoked_at  INTEGER,
	revoked_by  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passes_person ON passes (person_id, issued_at);
