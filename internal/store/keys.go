package store

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

const keyColumns = `id, hash, name, role, region, kinds, created_at, expires_at, revoked_at`

func scanKey(d *dialect, row scanner) (healthcode.APIKey, error) {
	var k healthcode.APIKey
	var kinds string
	err := row.Scan(&k.ID, &k.Hash, &k.Name, &k.Role, &k.Region, &kinds, timeCol{&k.CreatedAt},
		timeCol{&k.ExpiresAt}, timeCol{&k.RevokedAt})
	if err != nil {
		return k, translate(d, err)
	}
	return k, k.UnmarshalKinds([]byte(kinds))
}

func (r reader) APIKey(ctx context.Context, hash []byte) (*healthcode.APIKey, error) {
	k, err := scanKey(r.d, r.queryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = $1`, hash))
	if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return &k, nil
}

func (r reader) APIKeys(ctx context.Context) ([]healthcode.APIKey, error) {
	rows, err := r.query(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(r.d, err))
	}
	keys, err := collect(r.d, rows, func(row scanner) (healthcode.APIKey, error) { return scanKey(r.d, row) })
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(r.d, err))
	}
	return keys, nil
}

func (t *tx) CreateAPIKey(ctx context.Context, k *healthcode.APIKey) (err error) {
	kinds, err := k.MarshalKinds()
	if err != nil {
		return err
	}
	k.ID, err = t.insert(ctx, "create api key", `INSERT INTO api_keys (hash, name, role, region, kinds, created_at,
		expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		k.Hash, k.Name, string(k.Role), k.Region, string(kinds), t.at(k.CreatedAt), t.null(k.ExpiresAt), t.null(k.RevokedAt))
	return err
}

func (t *tx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	n, err := t.exec(ctx, "revoke api key", `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
		t.at(at), id)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	// Nothing changed: tell a missing key from one revoked already.
	var one int
	if err := queryRow(ctx, t.q, `SELECT 1 FROM api_keys WHERE id = $1`, id).Scan(&one); err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, translate(t.d, err))
	}
	return healthcode.Errorf(healthcode.ECONFLICT, "The key was revoked already.")
}
