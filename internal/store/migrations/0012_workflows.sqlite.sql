-- Officials' workflows (SPEC D1–D4, internal/workflow): appeals, releases
-- from home isolation and error corrections. What was filed (kind, person,
-- division, form, filer, time, log reference) never changes: a citizen
-- cannot edit an appeal once submitted (D1), and the trigger keeps an
-- official from editing it either. state, next_role, deadline, seq,
-- outcome and closed_at move with the steps.
CREATE TABLE workflows (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL,
	person_id   INTEGER NOT NULL REFERENCES persons (id),
	division    TEXT NOT NULL,
	form        TEXT NOT NULL,
	opened_by   TEXT NOT NULL,
	opened_role TEXT NOT NULL,
	opened_at   INTEGER NOT NULL,
	log_ref     BLOB NOT NULL,
	state       TEXT NOT NULL,
	next_role   TEXT NOT NULL,
	deadline    INTEGER,
	seq         INTEGER NOT NULL,
	outcome     INTEGER NOT NULL,
	closed_at   INTEGER
);
-- One open appeal per person.
CREATE UNIQUE INDEX workflows_open_appeal ON workflows (person_id) WHERE kind = 'appeal' AND closed_at IS NULL;
CREATE INDEX workflows_person ON workflows (person_id, id);
-- The work queue: a scope's open workflows for a role, by deadline.
CREATE INDEX workflows_queue ON workflows (next_role, division, deadline) WHERE closed_at IS NULL;

-- Steps are only appended; (workflow_id, seq) is the primary key, so of two
-- officials taking the same step at once the second is refused.
CREATE TABLE workflow_steps (
	workflow_id INTEGER NOT NULL REFERENCES workflows (id),
	seq         INTEGER NOT NULL,
	action      TEXT NOT NULL,
	actor_role  TEXT NOT NULL,
	actor       TEXT NOT NULL,
	at          INTEGER NOT NULL,
	note        TEXT NOT NULL,
	colour      INTEGER NOT NULL,
	PRIMARY KEY (workflow_id, seq)
) WITHOUT ROWID;

CREATE TABLE workflow_attachments (
	workflow_id  INTEGER PRIMARY KEY REFERENCES workflows (id),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       BLOB NOT NULL,
	data         BLOB NOT NULL
);

CREATE TRIGGER workflows_filed BEFORE UPDATE ON workflows
	WHEN NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.person_id IS NOT OLD.person_id
		OR NEW.division IS NOT OLD.division OR NEW.form IS NOT OLD.form OR NEW.opened_by IS NOT OLD.opened_by
		OR NEW.opened_role IS NOT OLD.opened_role OR NEW.opened_at IS NOT OLD.opened_at OR NEW.log_ref IS NOT OLD.log_ref
BEGIN
	SELECT RAISE(ABORT, 'a filed workflow cannot be changed');
END;
CREATE TRIGGER workflows_no_delete BEFORE DELETE ON workflows
BEGIN
	SELECT RAISE(ABORT, 'a filed workflow cannot be changed');
END;
CREATE TRIGGER workflow_steps_no_update BEFORE UPDATE ON workflow_steps
BEGIN
	SELECT RAISE(ABORT, 'workflow_steps is append-only');
END;
CREATE TRIGGER workflow_steps_no_delete BEFORE DELETE ON workflow_steps
BEGIN
	SELECT RAISE(ABORT, 'workflow_steps is append-only');
END;
CREATE TRIGGER workflow_attachments_no_update BEFORE UPDATE ON workflow_attachments
BEGIN
	SELECT RAISE(ABORT, 'a filed workflow cannot be changed');
END;
CREATE TRIGGER workflow_attachments_no_delete BEFORE DELETE ON workflow_attachments
BEGIN
	SELECT RAISE(ABORT, 'a filed workflow cannot be changed');
END;
