package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIngestCommandStoresOnceAndReportsBadRows(t *testing.T) {
	s := startServer(t)
	file := filepath.Join(t.TempDir(), "labs.csv")
	csv := "source_ref,doc_number,at,sampled,result\n" +
		"r-1,11010519491231002X,2026-03-10 15:00,2026-03-10 09:00,negative\n" +
		"r-2,11010519491231002X,2026-03-10 15:00,2026-03-10 09:00,maybe\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	ingest := func(extra ...string) (string, string, error) {
		var out, errs bytes.Buffer
		args := append([]string{"ingest", "lab", file, "--data", s.data, "--source", "lab-1"}, extra...)
		err := run(context.Background(), args, s.getenv, &out, &errs)
		return out.String(), errs.String(), err
	}
	if _, errs, err := ingest("--all-or-nothing"); err == nil || !strings.Contains(errs, "line 3: result") {
		t.Errorf("--all-or-nothing with a bad row: %v, stderr %q; want a refusal naming line 3", err, errs)
	}
	out, errs, err := ingest()
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, errs)
	}
	if !strings.Contains(out, "2 rows: 0 added, 1 pending (not applied yet), 0 duplicates, 1 rejected") {
		t.Errorf("first run: %q", out)
	}
	if !strings.Contains(errs, "rows/s") {
		t.Errorf("no progress on stderr: %q", errs)
	}
	out, _, err = ingest()
	if err != nil || !strings.Contains(out, "0 pending (not applied yet), 1 duplicates") {
		t.Errorf("second run: %q, %v; want the row recognised as a duplicate", out, err)
	}
}
