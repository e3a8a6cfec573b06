package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"healthcode/internal/migrate"
	"healthcode/internal/store/migrations"
)

// renumbered maps the names SQLite files recorded under their old
// numbering, before the dialects shared one sequence, to the versions
// those migrations have now: PostgreSQL's 0002_facts_person_key came in
// between. PostgreSQL databases recorded the new names all along.
var renumbered = []struct {
	old     string
	version int
}{
	// Highest first, so that no version is taken twice on the way.
	{"0006_rate_limits.sql", 7},
	{"0005_key_expiry_and_scope.sql", 6},
	{"0004_guesses_and_purge.sql", 5},
	{"0003_staff_sessions.sql", 4},
	{"0002_designations.sql", 3},
}

// migrateDB applies d's pending migrations on db, each in a transaction
// of its own holding the dialect's migration lock, so that servers
// starting at once take turns: the second then finds each migration
// recorded and skips it.
func migrateDB(ctx context.Context, db *sql.DB, d *dialect) error {
	return migrateThrough(ctx, db, d, 0)
}

// migrateThrough applies d's migrations up to version last (0: all), so
// that upgrade tests can make a database as an older release left it.
func migrateThrough(ctx context.Context, db *sql.DB, d *dialect, last int) error {
	ms, err := migrate.Load(migrations.FS, ".", d.name)
	if err != nil {
		return err
	}
	if last > 0 && last < len(ms) {
		ms = ms[:last]
	}
	err = locked(ctx, db, d, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.schemaMigrations); err != nil {
			return err
		}
		return renumber(ctx, tx, ms)
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := locked(ctx, db, d, func(tx *sql.Tx) error { return apply(ctx, tx, d, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// renumber moves rows recorded under an old name to the migration's
// version and name now, once: afterwards no row has an old name.
func renumber(ctx context.Context, tx *sql.Tx, ms []migrate.Migration) error {
	for _, r := range renumbered {
		if _, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET version = $1, name = $2 WHERE name = $3`,
			r.version, ms[r.version-1].Name, r.old); err != nil {
			return fmt.Errorf("renumber %s: %w", r.old, err)
		}
	}
	return nil
}

func locked(ctx context.Context, db *sql.DB, d *dialect, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, d.migrationTx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.migrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.migrationLock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func apply(ctx context.Context, tx *sql.Tx, d *dialect, m migrate.Migration) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil || n > 0 {
		return err
	}
	// Without arguments both drivers run the text as it is, which may
	// hold several statements.
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, d.arg(time.Now()))
	return err
}
