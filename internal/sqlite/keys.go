package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"healthcode"
)

const keyColumns = `id, hash, name, role, region, kinds, created_at, expires_at, revoked_at`

func scanKey(row scanner) (*healthcode.APIKey, error) {
	var k healthcode.APIKey
	var created int64
	var expires, revoked sql.NullInt64
	var kinds string
	if err := row.Scan(&k.ID, &k.Hash, &k.Name, &k.Role, &k.Region, &kinds, &created, &expires, &revoked); err != nil {
		return nil, translate(err)
	}
	if err := k.UnmarshalKinds([]byte(kinds)); err != nil {
		return nil, err
	}
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = fromMicro(created), fromNullMicro(expires), fromNullMicro(revoked)
	return &k, nil
}

func fromNullMicro(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicro(v.Int64)
}

func (r reader) APIKey(ctx context.Context, hash []byte) (*healthcode.APIKey, error) {
	k, err := scanKey(r.queryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash))
	if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

func (r reader) APIKeys(ctx context.Context) ([]healthcode.APIKey, error) {
	rows, err := r.query(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(err))
	}
	defer rows.Close()
	var keys []healthcode.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("api keys: %w", err)
		}
		keys = append(keys, *k)
	}
	if err := rows.Err(); err != nil {
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
		expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.Hash, k.Name, k.Role, k.Region, string(kinds),
		micro(k.CreatedAt), nullMicro(k.ExpiresAt), nullMicro(k.RevokedAt))
	return err
}

func (t *tx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := t.exec(ctx, "revoke api key", `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		micro(at), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	// Nothing changed: tell a missing key from one revoked already.
	var one int
	if err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE id = ?`, id).Scan(&one); err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, translate(err))
	}
	return healthcode.Errorf(healthcode.ECONFLICT, "The key was revoked already.")
}
