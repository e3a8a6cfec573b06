package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
)

const keyColumns = `id, hash, name, role, region, kinds, created_at, expires_at, revoked_at`

func scanKey(row pgx.Row) (*healthcode.APIKey, error) {
	var k healthcode.APIKey
	var expires, revoked *time.Time
	var kinds string
	if err := row.Scan(&k.ID, &k.Hash, &k.Name, &k.Role, &k.Region, &kinds, &k.CreatedAt, &expires, &revoked); err != nil {
		return nil, translate(err)
	}
	if err := k.UnmarshalKinds([]byte(kinds)); err != nil {
		return nil, err
	}
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = k.CreatedAt.UTC(), utc(expires), utc(revoked)
	return &k, nil
}

func (r reader) APIKey(ctx context.Context, hash []byte) (*healthcode.APIKey, error) {
	k, err := scanKey(r.q.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = $1`, hash))
	if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

func (r reader) APIKeys(ctx context.Context) ([]healthcode.APIKey, error) {
	rows, err := r.q.Query(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(err))
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (healthcode.APIKey, error) {
		k, err := scanKey(row)
		if err != nil {
			return healthcode.APIKey{}, err
		}
		return *k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(err))
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
		k.Hash, k.Name, string(k.Role), k.Region, string(kinds), k.CreatedAt, nullTime(k.ExpiresAt), nullTime(k.RevokedAt))
	return err
}

func (t *tx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	tag, err := t.exec(ctx, "revoke api key", `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
		at, id)
	if err != nil || tag.RowsAffected() == 1 {
		return err
	}
	// Nothing changed: tell a missing key from one revoked already.
	var one int
	if err := t.tx.QueryRow(ctx, `SELECT 1 FROM api_keys WHERE id = $1`, id).Scan(&one); err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, translate(err))
	}
	return healthcode.Errorf(healthcode.ECONFLICT, "The key was revoked already.")
}
