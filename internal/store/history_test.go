package store_test

import (
	"context"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/store"
)

// TestHistoryRejectsUpdateAndDelete: the schema itself keeps the history
// append-only, on both dialects, whatever statement tries.
func TestHistoryRejectsUpdateAndDelete(t *testing.T) {
	tests := []struct {
		name  string
		open  func(testing.TB) *store.DB
		stmts []string
	}{
		{"sqlite", openSQLite, []string{`UPDATE status_history SET to_color = 1`, `DELETE FROM status_history`}},
		{"postgres", openPostgres, []string{`UPDATE status_history SET to_color = 1`, `DELETE FROM status_history`,
			`TRUNCATE status_history`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.open(t)
			ctx := context.Background()
			e := &healthcode.HistoryEntry{PersonID: 1, To: healthcode.Green, Rule: "r", FactIDs: []int64{1}, Author: healthcode.AuthorSystem}
			e.Seal(0, nil)
			if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendHistory(ctx, e) }); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range tt.stmts {
				err := db.Update(ctx, func(tx healthcode.Tx) error { return store.Exec(ctx, tx, stmt) })
				if err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: got %v, want append-only error", stmt, err)
				}
			}
		})
	}
}
