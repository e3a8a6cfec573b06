package publiclog_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode/internal/publiclog"
)

// A witness holding an earlier head accepts only a head that extends it,
// by the consistency proof; a log rewritten and signed again with the same
// key, a shrunk one and a fork are refused.
func TestExtendsAcceptsOnlyAHeadThatExtendsTheOneSeen(t *testing.T) {
	ctx := context.Background()
	keys := filepath.Join(t.TempDir(), "keys")
	honestDB, forgedDB := backends[0].open(t), backends[0].open(t)
	honest, vkey := newLogIn(t, honestDB, keys)
	forged, _ := newLogIn(t, forgedDB, keys)
	_, otherKey := newLog(t, backends[0].open(t))
	appendEntries(t, honestDB, 0, 2, 1)
	h2 := drain(t, honest, 2).Note
	appendEntries(t, honestDB, 2, 5, 1)
	h5 := drain(t, honest, 5).Note
	appendEntries(t, forgedDB, 100, 102, 1)
	f2 := drain(t, forged, 2).Note
	appendEntries(t, forgedDB, 102, 105, 1)
	f5 := drain(t, forged, 5).Note

	proof := func(l *publiclog.Log, from, to int64) tlog.TreeProof {
		p, err := l.LogConsistency(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name       string
		prev, next []byte
		key        string
		proof      tlog.TreeProof
		want       string // "" for accepted
	}{
		{"first sight", nil, h2, vkey, nil, ""},
		{"the same head again", h2, h2, vkey, nil, ""},
		{"a head extending it", h2, h5, vkey, proof(honest, 2, 5), ""},
		{"a rewritten log's head, with its own proof", h2, f5, vkey, proof(forged, 2, 5), "does not extend"},
		{"a fork of the same size", h2, f2, vkey, nil, "forked or rewritten"},
		{"a smaller head", h5, h2, vkey, nil, "shrank"},
		{"a head signed by another key", nil, h2, otherKey, nil, "log head"},
	}
	for _, tt := range tests {
		_, err := publiclog.Extends(tt.prev, tt.next, tt.key, tt.proof)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
