package store

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// Paper passes.

const passColumns = `id, person_id, official_id, division, issued_at, expires_at, revoked_at, revoked_by`

func scanPass(d *dialect, row scanner) (healthcode.Pass, error) {
	var p healthcode.Pass
	err := row.Scan(&p.ID, &p.PersonID, &p.OfficialID, &p.Division, timeCol{&p.IssuedAt}, timeCol{&p.ExpiresAt},
		timeCol{&p.RevokedAt}, &p.RevokedBy)
	return p, translate(d, err)
}

func (r reader) Pass(ctx context.Context, id []byte) (*healthcode.Pass, error) {
	p, err := scanPass(r.d, r.queryRow(ctx, `SELECT `+passColumns+` FROM passes WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("pass: %w", err)
	}
	return &p, nil
}

func (r reader) PassesOf(ctx context.Context, personID int64) ([]healthcode.Pass, error) {
	rows, err := r.query(ctx, `SELECT `+passColumns+` FROM passes WHERE person_id = $1
		ORDER BY issued_at DESC, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("passes of %d: %w", personID, translate(r.d, err))
	}
	ps, err := collect(r.d, rows, func(row scanner) (healthcode.Pass, error) { return scanPass(r.d, row) })
	if err != nil {
		return nil, fmt.Errorf("passes of %d: %w", personID, err)
	}
	return ps, nil
}

func (t *tx) CreatePass(ctx context.Context, p *healthcode.Pass) error {
	_, err := t.exec(ctx, "create pass", `INSERT INTO passes (id, person_id, official_id, division, issued_at,
		expires_at, revoked_at, revoked_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.PersonID, p.OfficialID, p.Division, t.at(p.IssuedAt), t.at(p.ExpiresAt), t.null(p.RevokedAt), p.RevokedBy)
	return err
}

func (t *tx) RevokePass(ctx context.Context, id []byte, at time.Time, by int64) error {
	n, err := t.exec(ctx, "revoke pass", `UPDATE passes SET revoked_at = $1, revoked_by = $2
		WHERE id = $3 AND revoked_at IS NULL`, t.at(at), by, id)
	if err != nil || n == 1 {
		return err
	}
	if _, err := t.Pass(ctx, id); err != nil {
		return err
	}
	return healthcode.Errorf(healthcode.ECONFLICT, "The pass was revoked already.")
}
