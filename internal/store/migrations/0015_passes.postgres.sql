-- Paper passes (docs/federation.md#paper-passes): a signed code printed by
-- a community worker for a person without a smartphone. The id is the
-- token's random code id, never the person's; division is the issuing
-- official's scope. A pass is revoked, never deleted.
CREATE TABLE passes (
	id          bytea PRIMARY KEY,
	person_id   bigint NOT NULL REFERENCES persons (id),
	official_id bigint NOT NULL,
	division    text NOT NULL,
	issued_at   timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	revoked_at  timestamptz,
	revoked_by  bigint NOT NULL DEFAULT 0
);
CREATE INDEX passes_person ON passes (person_id, issued_at);
