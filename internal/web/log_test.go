package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	fmtlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
	"healthcode/internal/publiclog"
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
	// As a C2SP client would: the checkpoint at the layout's own path,
	// the same bytes, read by the transparency-dev parser.
	if status, cp := f.do(t, "GET", "/api/v1/log/checkpoint", "", nil); status != http.StatusOK || string(cp) != string(head) {
		t.Fatalf("checkpoint: %d %q, want the head %q", status, cp, head)
	}
	cp, _, _, err := fmtlog.ParseCheckpoint(head, v.Name(), v)
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: int64(cp.Size), Hash: tlog.Hash(cp.Hash)}
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

// tileClient reads the log's tiles over the API, for tlog.TileHashReader.
type tileClient struct {
	t *testing.T
	f *fixture
}

func (c tileClient) Height() int { return 8 }

func (c tileClient) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		path := publiclog.TilePath(tile)
		status, body := c.f.do(c.t, "GET", "/api/v1/log/"+path, "", nil)
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d %s", path, status, body)
		}
		out[i] = body
	}
	return out, nil
}

func (tileClient) SaveTiles([]tlog.Tile, [][]byte) {}

// Past one full tile of 256 entries, a client reading only tiles by their
// C2SP tlog-tiles paths, checked by tlog.TileHashReader against the
// signed head, proves every entry of the entry bundles in the tree.
func TestLogTilesProveEntriesWithTlogsTileReader(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	for f.sequenced(t).N < 260 {
		if _, _, err := f.svc.CreateAPIKey(ctx, "gate", healthcode.RoleCheckpoint, "330100"); err != nil {
			t.Fatal(err)
		}
	}
	tree := f.sequenced(t)
	hr := tlog.TileHashReader(tree, tileClient{t, f})
	for _, data := range []tlog.Tile{{H: 8, L: -1, N: 0, W: 256}, {H: 8, L: -1, N: 1, W: int(tree.N - 256)}} {
		path := publiclog.TilePath(data)
		if !strings.HasPrefix(path, "tile/entries/") {
			t.Fatalf("entry bundle path %s", path)
		}
		_, body := f.do(t, "GET", "/api/v1/log/"+path, "", nil)
		entries := bundle(t, body)
		if len(entries) != data.W {
			t.Fatalf("%s: %d entries, want %d", path, len(entries), data.W)
		}
		for j, line := range entries {
			i := data.N<<8 + int64(j)
			p, err := tlog.ProveRecord(tree.N, i, hr)
			if err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, tlog.RecordHash(line)); err != nil {
				t.Errorf("entry %d of the data tile: %v", i, err)
			}
		}
	}
	for path, want := range map[string]int{
		"tile/0/002":       http.StatusNotFound,
		"tile/1/000.p/2":   http.StatusNotFound,
		"tile/entries/002": http.StatusNotFound,
		// N·256 overflows: 2^56 wrapped to 0 and served tile 0, 2^55
		// went negative and passed as covered.
		"tile/0/x072/x057/x594/x037/x927/936":       http.StatusNotFound,
		"tile/entries/x072/x057/x594/x037/x927/936": http.StatusNotFound,
		"tile/0/x036/x028/x797/x018/x963/968":       http.StatusNotFound,
		"tile/1/x036/x028/x797/x018/x963/968.p/1":   http.StatusNotFound,
		"tile/8/0/000":        http.StatusBadRequest, // x/mod's path, with the height
		"tile/8/data/000":     http.StatusBadRequest,
		"tile/0/x":            http.StatusBadRequest,
		"tile/0/001.p/0":      http.StatusBadRequest,
		"tile/entries/000.p/": http.StatusBadRequest,
	} {
		if status, _ := f.do(t, "GET", "/api/v1/log/"+path, "", nil); status != want {
			t.Errorf("GET %s = %d, want %d", path, status, want)
		}
	}
}

// bundle splits a C2SP entry bundle: each entry a big-endian 16-bit
// length and its bytes.
func bundle(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			t.Fatalf("entry bundle ends inside a length")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			t.Fatalf("entry bundle ends inside an entry")
		}
		out, b = append(out, b[2:2+n]), b[2+n:]
	}
	return out
}
