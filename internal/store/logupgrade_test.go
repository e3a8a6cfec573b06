package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// TestTheLogsLeavesSurviveTheMoveOutOfItsEntries: a log written by
// migration 0009, leaves in log_entries, is opened by this release
// (0010, leaves in log_leaves, a queue for the rest): every placed entry
// keeps its leaf, every unplaced one waits in the queue in order, and new
// entries join the queue behind them.
func TestTheLogsLeavesSurviveTheMoveOutOfItsEntries(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		dialect string
		raw     func(t *testing.T) (*sql.DB, func() (*store.DB, error))
	}{
		{"sqlite", func(t *testing.T) (*sql.DB, func() (*store.DB, error)) {
			path := filepath.Join(t.TempDir(), "healthcode.db")
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			return db, func() (*store.DB, error) { return store.OpenSQLite(ctx, path) }
		}},
		{"postgres", func(t *testing.T) (*sql.DB, func() (*store.DB, error)) {
			dsn := pgtest.NewEmptyDatabase(t)
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			return db, func() (*store.DB, error) { return store.OpenPostgres(ctx, dsn) }
		}},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			raw, open := c.raw(t)
			if err := store.MigrateThrough(ctx, raw, c.dialect, 9); err != nil {
				t.Fatal(err)
			}
			// A colour change's history row, which e2 records by its hash.
			var historyID int64
			if err := raw.QueryRowContext(ctx, `INSERT INTO status_history (person_id, seq, from_color, to_color, rule, fact_ids,
				author, at, prev_hash, hash) VALUES (7, 1, 0, 3, 'r', '[1]', 'system', $1, NULL, $2) RETURNING id`,
				signedAt(c.dialect), []byte("history hash")).Scan(&historyID); err != nil {
				t.Fatal(err)
			}
			// Five entries as 0009 kept them, the first three placed.
			for i, body := range []string{"e0", "e1", "e2", "e3", "e4"} {
				var history []byte
				if body == "e2" {
					history = []byte("history hash")
				}
				if _, err := raw.ExecContext(ctx, `INSERT INTO log_entries (body, history_hash) VALUES ($1, $2)`, []byte(body), history); err != nil {
					t.Fatal(err)
				}
				if i < 3 {
					if _, err := raw.ExecContext(ctx, `UPDATE log_entries SET leaf = $1 WHERE body = $2`, i, []byte(body)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := raw.ExecContext(ctx, `INSERT INTO log_heads (size, hash, note, signed_at) VALUES (3, $1, $2, $3)`,
				[]byte("root"), []byte("signed"), signedAt(c.dialect)); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			db, err := open()
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			placed, err := db.LogEntries(ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(placed) != 3 {
				t.Fatalf("placed after the upgrade: %d entries, want 3", len(placed))
			}
			for i, r := range placed {
				if r.Leaf != int64(i) || string(r.Body) != []string{"e0", "e1", "e2"}[i] {
					t.Errorf("leaf %d: %d %q", i, r.Leaf, r.Body)
				}
			}
			if leaves, err := db.LogLeaves(ctx, []int64{historyID}); err != nil || leaves[historyID].Leaf != 2 {
				t.Errorf("the history row's leaf after the upgrade: %+v, %v; want leaf 2, found by the row's id", leaves, err)
			}
			err = db.Update(ctx, func(tx healthcode.Tx) error {
				k := &healthcode.APIKey{ID: 1, Role: healthcode.RoleFeed, Region: "330100"}
				if err := tx.AppendLog(ctx, healthcode.LogOfKey(healthcode.LogKeyCreated, k,
					healthcode.LogAuthor{Role: healthcode.RoleOperator}, time.Now())); err != nil {
					return err
				}
				head, err := tx.LogHead(ctx)
				if err != nil {
					return err
				}
				if head.Through != 3 {
					t.Errorf("through after the upgrade: %d, want 3, the last of the first placed entries", head.Through)
				}
				pending, _, err := tx.PendingLog(ctx, head.Through, 10)
				if err != nil {
					return err
				}
				if len(pending) != 3 || string(pending[0].Body) != "e3" || string(pending[1].Body) != "e4" || pending[2].ID <= pending[1].ID {
					t.Errorf("queue after the upgrade: %+v, want e3, e4 and the new entry", pending)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// signedAt is a time as the dialect's log_heads.signed_at keeps it.
func signedAt(dialect string) any {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if dialect == "sqlite" {
		return at.UnixMicro()
	}
	return at
}
