-- Officials' workflows (SPEC D1–D4, internal/workflow): appeals, releases
-- from home isolation and error corrections. What was filed (kind, person,
-- division, form, filer, time, log reference) never changes: a citizen
-- cannot edit an appeal once submitted (D1), and the trigger keeps an
-- official from editing it either. state, next_role, deadline, seq,
-- outcome and closed_at move with the steps.
CREATE TABLE workflows (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind        text NOT NULL,
	person_id   bigint NOT NULL REFERENCES persons (id),
	division    text NOT NULL,
	form        text NOT NULL,
	opened_by   text NOT NULL,
	opened_role text NOT NULL,
	opened_at   timestamptz NOT NULL,
	log_ref     bytea NOT NULL,
	state       text NOT NULL,
	next_role   text NOT NULL,
	deadline    timestamptz,
	seq         integer NOT NULL,
	outcome     smallint NOT NULL,
	closed_at   timestamptz
);
-- One open appeal per person.
CREATE UNIQUE INDEX workflows_open_appeal ON workflows (person_id) WHERE kind = 'appeal' AND closed_at IS NULL;
CREATE INDEX workflows_person ON workflows (person_id, id);
-- The work queue: a scope's open workflows for a role, by deadline;
-- text_pattern_ops lets a LIKE 'prefix%' use it.
CREATE INDEX workflows_queue ON workflows (next_role, division text_pattern_ops, deadline) WHERE closed_at IS NULL;

-- Steps are only appended; (workflow_id, seq) is the primary key, so of two
-- officials taking the same step at once the second is refused.
CREATE TABLE workflow_steps (
	workflow_id bigint NOT NULL REFERENCES workflows (id),
	seq         integer NOT NULL,
	action      text NOT NULL,
	actor_role  text NOT NULL,
	actor       text NOT NULL,
	at          timestamptz NOT NULL,
	note        text NOT NULL,
	colour      smallint NOT NULL,
	PRIMARY KEY (workflow_id, seq)
);

CREATE TABLE workflow_attachments (
	workflow_id  bigint PRIMARY KEY REFERENCES workflows (id),
	filename     text NOT NULL,
	content_type text NOT NULL,
	size         integer NOT NULL,
	sha256       bytea NOT NULL,
	data         bytea NOT NULL
);

CREATE FUNCTION workflow_filed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Nested, for plpgsql does not promise to stop at the first false AND.
	IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'workflows' THEN
		IF NEW.id = OLD.id AND NEW.kind = OLD.kind AND NEW.person_id = OLD.person_id AND NEW.division = OLD.division
			AND NEW.form = OLD.form AND NEW.opened_by = OLD.opened_by AND NEW.opened_role = OLD.opened_role
			AND NEW.opened_at = OLD.opened_at AND NEW.log_ref = OLD.log_ref THEN
			RETURN NEW;
		END IF;
	END IF;
	IF TG_TABLE_NAME = 'workflow_steps' THEN
		RAISE EXCEPTION 'workflow_steps is append-only';
	END IF;
	RAISE EXCEPTION 'a filed workflow cannot be changed';
END;
$$;
CREATE TRIGGER workflows_filed BEFORE UPDATE OR DELETE ON workflows
	FOR EACH ROW EXECUTE FUNCTION workflow_filed();
CREATE TRIGGER workflow_steps_no_change BEFORE UPDATE OR DELETE ON workflow_steps
	FOR EACH ROW EXECUTE FUNCTION workflow_filed();
CREATE TRIGGER workflow_attachments_no_change BEFORE UPDATE OR DELETE ON workflow_attachments
	FOR EACH ROW EXECUTE FUNCTION workflow_filed();
CREATE TRIGGER workflows_no_truncate BEFORE TRUNCATE ON workflows
	FOR EACH STATEMENT EXECUTE FUNCTION workflow_filed();
CREATE TRIGGER workflow_steps_no_truncate BEFORE TRUNCATE ON workflow_steps
	FOR EACH STATEMENT EXECUTE FUNCTION workflow_filed();
CREATE TRIGGER workflow_attachments_no_truncate BEFORE TRUNCATE ON workflow_attachments
	FOR EACH STATEMENT EXECUTE FUNCTION workflow_filed();
