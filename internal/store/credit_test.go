package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/store"
)

// TestCreditRecordsRejectUpdateAndDelete: a credit record, once written,
// is kept as it was on both dialects, as the history is.
func TestCreditRecordsRejectUpdateAndDelete(t *testing.T) {
	tests := []struct {
		name  string
		open  func(testing.TB) *store.DB
		stmts []string
	}{
		{"sqlite", openSQLite, []string{`UPDATE credit_records SET finding = 'nothing'`, `DELETE FROM credit_records`}},
		{"postgres", openPostgres, []string{`UPDATE credit_records SET finding = 'nothing'`, `DELETE FROM credit_records`,
			`TRUNCATE credit_records`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.open(t)
			ctx := context.Background()
			c := &healthcode.CreditRecord{PersonID: 1, Finding: "declared no travel; trips say otherwise",
				RecordedBy: "official:2", At: time.Now()}
			if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AddCreditRecord(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range tt.stmts {
				err := db.Update(ctx, func(tx healthcode.Tx) error { return store.Exec(ctx, tx, stmt) })
				if err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: got %v, want append-only error", stmt, err)
				}
			}
			if got, err := db.CreditRecords(ctx, 1); err != nil || len(got) != 1 || got[0].Finding != c.Finding {
				t.Errorf("after the refused statements, CreditRecords(1) = %+v, %v; want the record as written", got, err)
			}
		})
	}
}
