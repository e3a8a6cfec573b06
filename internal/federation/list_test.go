package federation

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/healthqr"
)

var t0 = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

type root struct {
	signer note.Signer
	vkey   string
}

func newRoot(t testing.TB, name string) root {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return root{s, vkey}
}

func verifiers(t testing.TB, rs ...root) note.Verifiers {
	t.Helper()
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.vkey)
	}
	v, err := Roots(keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// region returns a trusted region with a fresh key and the keyring that signs as it.
func region(t testing.TB, code string) (Region, *healthqr.Keyring) {
	t.Helper()
	k, err := healthqr.GenerateKey(code, t0.Add(-time.Hour), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := healthqr.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return Region{Region: code, Name: "Region " + code, URL: "http://127.0.0.1:1", Keys: kr.Public()}, kr
}

func list(seq uint64, regions ...Region) *List {
	return &List{Version: Version, Sequence: seq, IssuedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), Regions: regions}
}

func sign(t testing.TB, l *List, rs ...root) []byte {
	t.Helper()
	var ss []note.Signer
	for _, r := range rs {
		ss = append(ss, r.signer)
	}
	msg, err := l.Sign(ss...)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func token(t testing.TB, kr *healthqr.Keyring, issuer string, at time.Time) string {
	t.Helper()
	tok, err := kr.Sign(healthqr.Claims{Issuer: issuer, Color: healthcode.Yellow, IssuedAt: at, ExpiresAt: at.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestParseRefusesNamingTheField(t *testing.T) {
	r, _ := region(t, "420100")
	good, err := list(1, r).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("a good list: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"unknown field", `"version": 1`, `"version": 1, "extra": true`, "unknown field"},
		{"wrong version", `"version": 1`, `"version": 2`, "version"},
		{"no sequence", `"sequence": 1`, `"sequence": 0`, "sequence"},
		{"bad region", `"region": "420100"`, `"region": "42010"`, "regions[0].region"},
		{"bad url", `"url": "http://127.0.0.1:1"`, `"url": "ftp://x"`, "regions[0].url"},
		{"bad kid", `"kid": "`, `"kid": "zz`, "regions[0].keys[0]"},
		{"bad revoked", `"keys"`, `"revoked": ["nothex"], "keys"`, "regions[0].revoked[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(string(good), c.from, c.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not in the list", c.from)
			}
			_, err := Parse([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse = %v, want an error naming %q", err, c.want)
			}
		})
	}
	if _, err := Parse(append(good, []byte("{}")...)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestOpenAcceptsAnyConfiguredRootAndRefusesOthers(t *testing.T) {
	old, next, stranger := newRoot(t, "root"), newRoot(t, "root"), newRoot(t, "other")
	r, _ := region(t, "420100")
	both := sign(t, list(1, r), old, next)
	for name, vs := range map[string]note.Verifiers{"old root": verifiers(t, old), "new root": verifiers(t, next),
		"both": verifiers(t, old, next)} {
		if _, err := Open(both, vs); err != nil {
			t.Errorf("list signed by old+new, verified with %s: %v", name, err)
		}
	}
	if _, err := Open(sign(t, list(1, r), stranger), verifiers(t, old)); err == nil {
		t.Error("a list signed by another key verified")
	}
	tampered := strings.Replace(string(both), "Region 420100", "Region 999999", 1)
	if _, err := Open([]byte(tampered), verifiers(t, old)); err == nil {
		t.Error("a changed list verified")
	}
}

func TestCheckHonoursRotationAndRevocation(t *testing.T) {
	rt := newRoot(t, "root")
	r, kr := region(t, "420100")
	oldTok := token(t, kr, "420100", t0)
	// Rotation: a new key, the old one kept with its validity.
	k2, err := healthqr.GenerateKey("420100", t0.Add(time.Minute), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Add(k2); err != nil {
		t.Fatal(err)
	}
	newTok := token(t, kr, "420100", t0.Add(2*time.Minute))
	r.Keys = kr.Public()
	tr := mustTrust(t, rt, sign(t, list(1, r), rt))
	now := t0.Add(3 * time.Minute)
	for name, tok := range map[string]string{"old": oldTok, "new": newTok} {
		if _, reg, err := tr.Check(tok, now); err != nil || reg == nil || reg.Region != "420100" {
			t.Errorf("%s key's token: region %v, %v", name, reg, err)
		}
	}
	r.Revoked = []string{kr.Public()[0].KID} // the old key: Public orders by valid_from
	tr = mustTrust(t, rt, sign(t, list(2, r), rt))
	if _, _, err := tr.Check(oldTok, now); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked key's token: %v, want ErrRevoked", err)
	}
	if _, _, err := tr.Check(newTok, now); err != nil {
		t.Errorf("the other key's token after a revocation: %v", err)
	}
	other, okr := region(t, "110100")
	if _, _, err := tr.Check(token(t, okr, other.Region, t0), now); !errors.Is(err, healthqr.ErrUnknownIssuer) {
		t.Errorf("an untrusted region's token: %v, want unknown issuer", err)
	}
}

func mustTrust(t testing.TB, rt root, msg []byte) *Trust {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list.note")
	if err := os.WriteFile(path, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := New(Config{Roots: verifiers(t, rt), Source: path, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// listServer serves one signed list with an ETag, counting 304s.
type listServer struct {
	mu          sync.Mutex
	msg         []byte
	fail        bool
	notModified int
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	etag := `"` + strings.TrimSpace(string(s.msg[len(s.msg)-20:])) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		s.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(s.msg)
}

func (s *listServer) set(msg []byte, fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msg, s.fail = msg, fail
}

func TestRefreshKeepsTheLastGoodCopy(t *testing.T) {
	rt, stranger := newRoot(t, "root"), newRoot(t, "root")
	r, _ := region(t, "420100")
	src := &listServer{msg: sign(t, list(5, r), rt)}
	srv := httptest.NewServer(src)
	defer srv.Close()
	dir := t.TempDir()
	cfg := Config{Roots: verifiers(t, rt), Source: srv.URL, Dir: dir, Now: func() time.Time { return t0 }}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := tr.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tr.Refresh(ctx); err != nil || src.notModified != 1 {
		t.Fatalf("second refresh: %v, %d not-modified answers, want 1", err, src.notModified)
	}
	steps := []struct {
		name string
		msg  []byte
		fail bool
	}{
		{"rollback to an older sequence", sign(t, list(4, r), rt), false},
		{"signed by an unknown key", sign(t, list(6, r), stranger), false},
		{"expired", sign(t, &List{Version: 1, Sequence: 7, IssuedAt: t0.Add(-2 * time.Hour), ExpiresAt: t0.Add(-time.Hour), Regions: []Region{r}}, rt), false},
		{"source down", nil, true},
	}
	for _, s := range steps {
		src.set(s.msg, s.fail)
		if err := tr.Refresh(ctx); err == nil {
			t.Errorf("%s: accepted", s.name)
		}
		if l := tr.List(); l == nil || l.Sequence != 5 {
			t.Errorf("%s: list %v, want sequence 5 kept", s.name, l)
		}
	}
	// A restart with the source down starts from the copy on disk.
	again, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l := again.List(); l == nil || l.Sequence != 5 {
		t.Errorf("after a restart: %v, want the last good copy (sequence 5)", l)
	}
	// ... and still refuses a rollback.
	src.set(sign(t, list(3, r), rt), false)
	if err := again.Refresh(ctx); err == nil {
		t.Error("rollback accepted after a restart")
	}
}

func FuzzParse(f *testing.F) {
	r, _ := region(f, "420100")
	good, _ := list(1, r).Marshal()
	f.Add(good)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"sequence":1,"issued_at":"2026-01-01T00:00:00Z","expires_at":"2027-01-01T00:00:00Z","regions":[{"region":"000000"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses is valid, builds keyrings and survives a round trip.
		if _, _, err := l.Keyrings(); err != nil {
			t.Fatalf("parsed list builds no keyring: %v", err)
		}
		again, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(again); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

// TestCheckNeverAsksAboutItsOwnRegion: a list that names this server's own
// region does not make a token of ours good (our own keys decide), nor is
// this server asked about it (a loop).
func TestCheckNeverAsksAboutItsOwnRegion(t *testing.T) {
	rt := newRoot(t, "root")
	r, kr := region(t, "330100")
	tr := mustTrust(t, rt, sign(t, list(1, r), rt))
	f := &Foreign{Trust: tr, Asker: &Asker{Timeout: time.Millisecond}, Self: "330100"}
	res, err := f.Check(context.Background(), token(t, kr, "330100", t0), t0.Add(time.Minute), time.Now)
	if err != nil || res.Reason != "unknown_issuer" || res.Live != nil {
		t.Errorf("own region's token via the list = %+v, %v; want unknown_issuer, not asked", res, err)
	}
}

// BenchmarkCheck compares the offline check of a foreign code against the
// trust list (Trust.Check) with healthqr's own Verify of a local code, in
// one run: the ratio of their ns/op is the cost of going through the list.
func BenchmarkCheck(b *testing.B) {
	rt := newRoot(b, "root")
	r, kr := region(b, "420100")
	tr := mustTrust(b, rt, sign(b, list(1, r), rt))
	tok := token(b, kr, "420100", t0)
	now := t0.Add(time.Minute)
	b.Run("local-keyring", func(b *testing.B) {
		for b.Loop() {
			if _, err := kr.Verify(tok, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("trust-list", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := tr.Check(tok, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
