package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"healthcode"
)

// Officials' accounts, their sessions, unmaskings, and the persons of a
// division.

const officialColumns = `id, login, role, scope, password_hash, totp_sealed, totp_step, created_at, created_by,
	disabled_at, failed_logins, failed_since, locked_until`

func scanOfficial(d *dialect, row scanner) (healthcode.Official, error) {
	var o healthcode.Official
	err := row.Scan(&o.ID, &o.Login, &o.Role, &o.Scope, &o.PasswordHash, &o.TOTPSealed, &o.TOTPStep,
		timeCol{&o.CreatedAt}, &o.CreatedBy, timeCol{&o.DisabledAt}, &o.FailedLogins, timeCol{&o.FailedSince},
		timeCol{&o.LockedUntil})
	return o, translate(d, err)
}

func (r reader) Official(ctx context.Context, id int64) (*healthcode.Official, error) {
	o, err := scanOfficial(r.d, r.queryRow(ctx, `SELECT `+officialColumns+` FROM officials WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("official %d: %w", id, err)
	}
	return &o, nil
}

const officialByLogin = `SELECT ` + officialColumns + ` FROM officials WHERE login = $1`

func (r reader) OfficialByLogin(ctx context.Context, login string) (*healthcode.Official, error) {
	return r.officialByLogin(ctx, officialByLogin, login)
}

// OfficialByLogin inside a transaction locks the account's row until the
// transaction ends, so logins racing on one account are checked one after
// the other: every failure counts, and a TOTP code is taken once.
func (t *tx) OfficialByLogin(ctx context.Context, login string) (*healthcode.Official, error) {
	return t.officialByLogin(ctx, officialByLogin+t.d.forUpdate, login)
}

func (r reader) officialByLogin(ctx context.Context, query, login string) (*healthcode.Official, error) {
	o, err := scanOfficial(r.d, r.queryRow(ctx, query, login))
	if err != nil {
		return nil, fmt.Errorf("official by login: %w", err)
	}
	return &o, nil
}

func (r reader) Officials(ctx context.Context, within string) ([]healthcode.Official, error) {
	query, args := `SELECT `+officialColumns+` FROM officials ORDER BY id`, []any(nil)
	if within != "" {
		lo, hi := prefixRange(healthcode.RegionPrefix(within))
		query, args = `SELECT `+officialColumns+` FROM officials WHERE scope >= $1 AND scope < $2 ORDER BY id`, []any{lo, hi}
	}
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("officials: %w", translate(r.d, err))
	}
	os, err := collect(r.d, rows, func(row scanner) (healthcode.Official, error) { return scanOfficial(r.d, row) })
	if err != nil {
		return nil, fmt.Errorf("officials: %w", err)
	}
	return os, nil
}

// prefixRange is the range of digit strings that start with prefix:
// [prefix, the prefix one up). A range rather than LIKE, so that an index
// serves it under any collation: digits sort alike in all of them.
func prefixRange(prefix string) (lo, hi string) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return prefix, string(b[:i+1])
		}
		b[i] = '0'
	}
	return prefix, prefix + ":" // all nines: no division is
}

func (t *tx) CreateOfficial(ctx context.Context, o *healthcode.Official) (err error) {
	o.ID, err = t.insert(ctx, "create official", `INSERT INTO officials (login, role, scope, password_hash, totp_sealed,
		totp_step, created_at, created_by, disabled_at, failed_logins, failed_since, locked_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		o.Login, string(o.Role), o.Scope, o.PasswordHash, o.TOTPSealed, o.TOTPStep, t.at(o.CreatedAt), o.CreatedBy,
		t.null(o.DisabledAt), o.FailedLogins, t.null(o.FailedSince), t.null(o.LockedUntil))
	return err
}

func (t *tx) UpdateOfficial(ctx context.Context, o *healthcode.Official) error {
	n, err := t.exec(ctx, "update official", `UPDATE officials SET disabled_at = $1, totp_step = $2, failed_logins = $3,
		failed_since = $4, locked_until = $5 WHERE id = $6`,
		t.null(o.DisabledAt), o.TOTPStep, o.FailedLogins, t.null(o.FailedSince), t.null(o.LockedUntil), o.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Not found.")
	}
	if o.Disabled() {
		_, err = t.exec(ctx, "end disabled official's sessions", `DELETE FROM official_sessions WHERE official_id = $1`, o.ID)
	}
	return err
}

func (r reader) OfficialSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.OfficialSession, error) {
	s := healthcode.OfficialSession{TokenHash: tokenHash}
	err := r.queryRow(ctx, `SELECT official_id, created_at, expires_at FROM official_sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, r.at(now)).
		Scan(&s.OfficialID, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt})
	if err != nil {
		return nil, fmt.Errorf("official session: %w", translate(r.d, err))
	}
	return &s, nil
}

func (t *tx) CreateOfficialSession(ctx context.Context, s *healthcode.OfficialSession) error {
	_, err := t.exec(ctx, "create official session", `INSERT INTO official_sessions (token_hash, official_id,
		created_at, expires_at) VALUES ($1, $2, $3, $4)`, s.TokenHash, s.OfficialID, t.at(s.CreatedAt), t.at(s.ExpiresAt))
	return err
}

func (t *tx) DeleteOfficialSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete official session", `DELETE FROM official_sessions WHERE token_hash = $1`, tokenHash)
	return err
}

func (t *tx) AddUnmasking(ctx context.Context, u *healthcode.Unmasking) (err error) {
	u.ID, err = t.insert(ctx, "add unmasking", `INSERT INTO unmaskings (official_id, person_id, reason, category, at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, u.OfficialID, u.PersonID, u.Reason, u.Category, t.at(u.At))
	return err
}

func (r reader) Unmaskings(ctx context.Context, personID int64) ([]healthcode.Unmasking, error) {
	rows, err := r.query(ctx, `SELECT id, official_id, person_id, reason, category, at FROM unmaskings
		WHERE person_id = $1 ORDER BY at, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("unmaskings: %w", err)
	}
	us, err := collect(r.d, rows, func(row scanner) (healthcode.Unmasking, error) {
		var u healthcode.Unmasking
		err := row.Scan(&u.ID, &u.OfficialID, &u.PersonID, &u.Reason, &u.Category, timeCol{&u.At})
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("unmaskings: %w", err)
	}
	return us, nil
}

// PersonsInDivision reads an index in id order where one can serve: a
// district or county by its region (persons_region; a community lies in
// its person's region, so the region alone decides), a town or community
// by its region and a range of community (persons_division, sorted), a
// city or a province by a range of regions. Persons who gave no community
// are in no town's scope.
func (r reader) PersonsInDivision(ctx context.Context, division string, after int64, n int) ([]*healthcode.Person, error) {
	if err := healthcode.ScopeProblem(division); err != nil {
		return nil, healthcode.Errorf(healthcode.EINVALID, "%s: %s", "division", err)
	}
	what := "persons in division " + division + " after " + strconv.FormatInt(after, 10)
	prefix := healthcode.RegionPrefix(division)
	lo, hi := prefixRange(prefix)
	switch {
	case len(division) > 6:
		return r.persons(ctx, what, personsInCommunities, division[:6], lo, hi, after, n)
	case prefix == division:
		return r.persons(ctx, what, personsInRegion, division, after, n)
	}
	return r.persons(ctx, what, personsInRegions, lo, hi, after, n)
}

// The queries of PersonsInDivision.
const (
	personsInRegion = `SELECT ` + personColumns + personFrom +
		`WHERE p.region = $1 AND p.id > $2 ORDER BY p.id LIMIT $3`
	personsInRegions = `SELECT ` + personColumns + personFrom +
		`WHERE p.region >= $1 AND p.region < $2 AND p.id > $3 ORDER BY p.id LIMIT $4`
	personsInCommunities = `SELECT ` + personColumns + personFrom +
		`WHERE p.region = $1 AND p.community >= $2 AND p.community < $3 AND p.id > $4 ORDER BY p.id LIMIT $5`
)
