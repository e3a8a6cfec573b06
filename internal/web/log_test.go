package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// sequenced runs the fixture's sequencer until the log is placed and
// returns the head it serves, opened with the key it serves.
func (f *fixture) sequenced(t *testing.T) tlog.Tree {
	t.Helper()
	for {
		n, err := f.svc.SequenceLog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	status, key := f.do(t, "GET", "/api/v1/log/key", "", nil)
	if status != http.StatusOK {
		t.Fatalf("key: %d", status)
	}
	v, err := note.NewVerifier(string(key[:len(key)-1]))
	if err != nil {
		t.Fatal(err)
	}
	status, head := f.do(t, "GET", "/api/v1/log/head", "", nil)
	if status != http.StatusOK {
		t.Fatalf("head: %d %s", status, head)
	}
	n, err := note.Open(head, note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func (f *fixture) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	status, body := f.do(t, "GET", path, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

// A third party checks, with tlog's own verifiers and nothing but what
// the routes serve, that every entry is in the signed tree and that a
// later head extends an earlier one.
func TestLogRoutesServeProofsTlogAccepts(t *testing.T) {
	f := newFixture(t, 0)
	old := f.sequenced(t)
	if old.N < 3 {
		t.Fatalf("the fixture's keys and colour make %d entries, want 3 or more", old.N)
	}
	if _, _, err := f.svc.CreateAPIKey(context.Background(), "gate 2", healthcode.RoleCheckpoint, "330100"); err != nil {
		t.Fatal(err)
	}
	cur := f.sequenced(t)
	for i := range cur.N {
		var e struct {
			Entry    []byte    `json:"entry"`
			LeafHash tlog.Hash `json:"leaf_hash"`
		}
		f.getJSON(t, fmt.Sprintf("/api/v1/log/entries/%d", i), &e)
		if _, err := healthcode.DecodeLogEntry(e.Entry); err != nil || e.LeafHash != tlog.RecordHash(e.Entry) {
			t.Fatalf("entry %d: %s, leaf hash %v (%v)", i, e.Entry, e.LeafHash, err)
		}
		var p struct{ Hashes []tlog.Hash }
		f.getJSON(t, fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", i, cur.N), &p)
		if err := tlog.CheckRecord(p.Hashes, cur.N, cur.Hash, i, e.LeafHash); err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	var p struct{ Hashes []tlog.Hash }
	f.getJSON(t, fmt.Sprintf("/api/v1/log/proof/consistency?from=%d&to=%d", old.N, cur.N), &p)
	if err := tlog.CheckTree(p.Hashes, cur.N, cur.Hash, old.N, old.Hash); err != nil {
		t.Errorf("consistency %d → %d: %v", old.N, cur.N, err)
	}
}

func TestLogRoutesRefuseWhatNoHeadCovers(t *testing.T) {
	f := newFixture(t, 0)
	size := f.sequenced(t).N
	tests := []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/api/v1/log/entries/%d", size), http.StatusNotFound},
		{"/api/v1/log/entries/-1", http.StatusBadRequest},
		{"/api/v1/log/entries/x", http.StatusBadRequest},
		{fmt.Sprintf("/api/v1/log/proof/inclusion?index=0&size=%d", size+1), http.StatusBadRequest},
		{"/api/v1/log/proof/inclusion?index=0", http.StatusBadRequest},
		{fmt.Sprintf("/api/v1/log/proof/consistency?from=0&to=%d", size), http.StatusBadRequest},
		{"/api/v1/log/proof/consistency?from=2&to=1", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if status, body := f.do(t, "GET", tt.path, "", nil); status != tt.want {
			t.Errorf("GET %s = %d %s, want %d", tt.path, status, body, tt.want)
		}
	}
}
