-- A staff session's shift: how many verdicts let the holder pass and how
-- many refused (invalid codes count as refused), so the scanner shows the
-- tally of the session, kept by the server for every tab and reload
-- (StaffSession.Passed, Refused).
ALTER TABLE staff_sessions ADD COLUMN passed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_sessions ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
