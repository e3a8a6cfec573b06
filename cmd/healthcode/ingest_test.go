package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	key := s.feedKey(t, "lab")
	var rep struct {
		Added int `json:"added"`
	}
	csv := "source_ref,doc_number,at,sampled,result\nr-1," + number + ",2026-03-10 15:00,2026-03-10 09:00,negative\n"
	if code := s.postFeed(t, key, "lab", csv, &rep); code != http.StatusOK || rep.Added != 1 {
		t.Errorf("feed: status %d, %+v; want 200 with 1 added", code, rep)
	}
	if strings.Contains(s.logs.String(), "cannot lift deadlines") {
		t.Error("the server could not lift the deadlines for a feed")
	}
}

// TestDesignationFeedOverHTTP: a telecom sends where someone was, the
// headquarters then designates the place high-risk, and their code turns
// red at once.
func TestDesignationFeedOverHTTP(t *testing.T) {
	s := startServer(t)
	const phone = "13812345671"
	number := residentID(t, "33050219900307125")
	token := s.login(t, phone)
	app := application(number, "吴十", phone, false)
	app["region"] = "330502" // Huzhou, under the 2022 rules, which know risk areas
	var p person
	if code := s.call(t, "POST", "/api/v1/persons", token, app, &p); code != http.StatusCreated {
		t.Fatalf("apply: status %d", code)
	}
	key := s.feedKey(t, "trip,designation", "--region", "330000") // the province: Huzhou is not Hangzhou
	trips := "source_ref,doc_number,at,area,from,to\nT-1," + number + ",2026-03-10 15:00,吴兴区爱山街道,2026-03-10 08:00,2026-03-10 09:00\n"
	if code := s.postFeed(t, key, "trip", trips, nil); code != http.StatusOK {
		t.Fatalf("trip feed: status %d", code)
	}
	var rep struct {
		Added, Stays, Recoloured, Rejected int
	}
	designations := "source_ref,area,level,from\nD-1,吴兴区爱山街道,high,2026-03-09\nD-2,吴兴区爱山街道,extreme,2026-03-09\n"
	if code := s.postFeed(t, key, "designation", designations, &rep); code != http.StatusOK ||
		rep.Added != 1 || rep.Stays != 1 || rep.Recoloured != 1 || rep.Rejected != 1 {
		t.Errorf("designation feed: status %d, %+v; want 1 added, 1 stay, 1 recoloured, 1 rejected", code, rep)
	}
	var st struct {
		Color    string `json:"color"`
		Category string `json:"category"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", p.ID), token, nil, &st)
	if st.Color != "red" || st.Category != "high-risk-area" {
		t.Errorf("after the designation: %+v, want red by high-risk-area", st)
	}
}

// feedKey makes a feed key for kinds (comma-separated) on the command
// line, with the extra flags.
func (s *testServer) feedKey(t *testing.T, kinds string, extra ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	args := append([]string{"keys", "create-feed", "--name", "feed-" + kinds, "--kinds", kinds, "--data", s.data}, append(s.extra, extra...)...)
	if err := run(context.Background(), args, s.getenv, &out, &errs); err != nil {
		t.Fatalf("create-feed: %v\n%s", err, errs.String())
	}
	return strings.TrimSpace(out.String())
}

// postFeed sends a CSV feed and decodes the report into out, if not nil.
func (s *testServer) postFeed(t *testing.T, key, kind, csv string, out any) int {
	t.Helper()
	req, err := http.NewRequest("POST", s.url+"/api/v1/feeds/"+kind, strings.NewReader(csv))
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
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}
