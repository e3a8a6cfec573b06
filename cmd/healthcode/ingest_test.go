package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
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

// TestFeedOverHTTP sends a feed to the running server with a feed key made
// by the command line, through the real server and its deadlines.
func TestFeedOverHTTP(t *testing.T) {
	s := startServer(t)
	const phone = "13812345670"
	number := residentID(t, "33010619900307125")
	token := s.login(t, phone)
	if code := s.call(t, "POST", "/api/v1/persons", token, application(number, "周九", phone, false), nil); code != http.StatusCreated {
		t.Fatalf("apply: status %d", code)
	}
	var out, errs bytes.Buffer
	args := []string{"keys", "create-feed", "--name", "lab-1", "--kinds", "lab", "--data", s.data}
	if err := run(context.Background(), args, s.getenv, &out, &errs); err != nil {
		t.Fatalf("create-feed: %v\n%s", err, errs.String())
	}
	key := strings.TrimSpace(out.String())
	csv := "source_ref,doc_number,at,sampled,result\nr-1," + number + ",2026-03-10 15:00,2026-03-10 09:00,negative\n"
	req, err := http.NewRequest("POST", s.url+"/api/v1/feeds/lab", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rep struct {
		Added int `json:"added"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || rep.Added != 1 {
		t.Errorf("feed: status %d, %+v; want 200 with 1 added", res.StatusCode, rep)
	}
	if strings.Contains(s.logs.String(), "cannot lift deadlines") {
		t.Error("the server could not lift the deadlines for a feed")
	}
}
