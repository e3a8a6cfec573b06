package federation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode/healthqr"
)

// LastGoodFile is the name of the last good trust list in the data
// directory: used at start and whenever the source is unreachable or bad.
const LastGoodFile = "trust-list.note"

// Config is how a server finds and checks its trust list.
type Config struct {
	Roots  note.Verifiers
	Source string // https://… or http://… URL, or a file path
	Dir    string // where the last good copy is kept; "" keeps none
	Client *http.Client
	Log    *slog.Logger
	Now    func() time.Time
}

// Trust holds the newest trust list this server could verify. It is safe
// for concurrent use: readers load an immutable snapshot.
type Trust struct {
	cfg   Config
	mu    sync.Mutex // serialises refreshes
	cur   atomic.Pointer[snapshot]
	fetch string // the source's ETag of the current copy
}

// snapshot is one verified list with its keys.
type snapshot struct {
	list              *List
	note              []byte
	etag              string // ours: of the note's bytes
	accepted, revoked *healthqr.Keyring
}

// New returns a Trust holding the last good copy in cfg.Dir, if any; call
// Refresh (or Run) to fetch from the source.
func New(cfg Config) (*Trust, error) {
	if cfg.Roots == nil {
		return nil, errors.New("trust: no root key")
	}
	if cfg.Source == "" {
		return nil, errors.New("trust: no source (URL or file)")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Trust{cfg: cfg}
	if cfg.Dir != "" {
		b, err := os.ReadFile(filepath.Join(cfg.Dir, LastGoodFile))
		switch {
		case err == nil:
			if err := t.accept(b); err != nil {
				cfg.Log.Warn("trust list: the last good copy does not verify; waiting for the source", "err", err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("trust: %w", err)
		}
	}
	return t, nil
}

// accept verifies msg and makes it current unless it is older than the
// current copy (rollback) or expired.
func (t *Trust) accept(msg []byte) error {
	l, err := Open(msg, t.cfg.Roots)
	if err != nil {
		return err
	}
	if now := t.cfg.Now(); !now.Before(l.ExpiresAt) {
		return fmt.Errorf("trust list: sequence %d expired at %s", l.Sequence, l.ExpiresAt.Format(time.RFC3339))
	}
	if old := t.cur.Load(); old != nil {
		switch {
		case l.Sequence < old.list.Sequence:
			return fmt.Errorf("trust list: sequence %d is older than the %d held (a rollback): refused", l.Sequence, old.list.Sequence)
		case l.Sequence == old.list.Sequence && !bytes.Equal(msg, old.note):
			if textOf(msg) != textOf(old.note) {
				return fmt.Errorf("trust list: a different list with the same sequence %d: refused", l.Sequence)
			}
		}
	}
	acc, rev, err := l.Keyrings()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(msg)
	t.cur.Store(&snapshot{list: l, note: bytes.Clone(msg), etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		accepted: acc, revoked: rev})
	return nil
}

// textOf is a note's text, without its signatures.
func textOf(msg []byte) string {
	if i := bytes.LastIndex(msg, []byte("\n\n")); i >= 0 {
		return string(msg[:i+1])
	}
	return string(msg)
}

// Refresh fetches the list from the source and keeps it if it verifies;
// else the current copy stays, and the error says why. A 304 answer to
// If-None-Match keeps the current copy too.
func (t *Trust) Refresh(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	msg, etag, err := t.get(ctx)
	if err != nil || msg == nil {
		return err
	}
	before := t.cur.Load()
	if err := t.accept(msg); err != nil {
		return err
	}
	t.fetch = etag
	now := t.cur.Load()
	if before != nil && bytes.Equal(before.note, now.note) {
		return nil
	}
	t.cfg.Log.Info("trust list accepted", "sequence", now.list.Sequence, "regions", len(now.list.Regions),
		"expires_at", now.list.ExpiresAt)
	if t.cfg.Dir != "" {
		if err := writeAtomic(filepath.Join(t.cfg.Dir, LastGoodFile), msg); err != nil {
			return fmt.Errorf("trust list: keep the last good copy: %w", err)
		}
	}
	return nil
}

// get reads the source: nil msg for a 304 (not modified).
func (t *Trust) get(ctx context.Context) (msg []byte, etag string, err error) {
	src := t.cfg.Source
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, "", fmt.Errorf("trust list: %w", err)
		}
		return b, "", nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, "", fmt.Errorf("trust list: %w", err)
	}
	if t.fetch != "" && t.cur.Load() != nil {
		req.Header.Set("If-None-Match", t.fetch)
	}
	res, err := t.cfg.Client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("trust list: %w", err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusNotModified:
		return nil, "", nil
	case http.StatusOK:
	default:
		return nil, "", fmt.Errorf("trust list: %s answered %s", src, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxListBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("trust list: %w", err)
	}
	return b, res.Header.Get("ETag"), nil
}

// Run refreshes every period until ctx ends, logging failures: the
// last good copy stays in use.
func (t *Trust) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := t.Refresh(ctx); err != nil {
				t.cfg.Log.Warn("trust list refresh failed; keeping the last good copy", "err", err, "source", t.cfg.Source)
			}
		}
	}
}

// Note returns the current signed list as fetched and its ETag; nil when
// none verified yet.
func (t *Trust) Note() (msg []byte, etag string) {
	s := t.cur.Load()
	if s == nil {
		return nil, ""
	}
	return s.note, s.etag
}

// List returns the current list, or nil. It must not be changed.
func (t *Trust) List() *List {
	if s := t.valid(); s != nil {
		return s.list
	}
	return nil
}

// valid is the current snapshot unless it has expired meanwhile (the
// source unreachable for longer than the list's validity): an expired list
// trusts no one.
func (t *Trust) valid() *snapshot {
	s := t.cur.Load()
	if s == nil || !t.cfg.Now().Before(s.list.ExpiresAt) {
		return nil
	}
	return s
}

// Keys returns the public keys of every trusted region, revoked ones left
// out, in the JSON shape of GET /api/v1/keys.
func (t *Trust) Keys() []healthqr.PublicKey {
	s := t.valid()
	if s == nil {
		return nil
	}
	return s.accepted.Public()
}

// ErrRevoked is returned by Check for a token signed by a revoked key.
var ErrRevoked = errors.New("federation: the key that signed this code is revoked")

// Check verifies token offline against the trust list: signature, key
// validity, revocation and expiry. It returns healthqr's errors
// (ErrUnknownIssuer for a region the list does not name) or ErrRevoked.
func (t *Trust) Check(token string, now time.Time) (healthqr.Claims, *Region, error) {
	s := t.valid()
	if s == nil {
		_, err := new(healthqr.Keyring).Verify(token, now)
		return healthqr.Claims{}, nil, err
	}
	c, err := VerifyWith(s.accepted, s.revoked, token, now)
	if err != nil {
		return healthqr.Claims{}, nil, err
	}
	return c, s.list.Find(c.Issuer), nil
}

// VerifyWith verifies token against a list's keyrings (List.Keyrings):
// healthqr's errors, or ErrRevoked for a token a revoked key signed.
func VerifyWith(accepted, revoked *healthqr.Keyring, token string, now time.Time) (healthqr.Claims, error) {
	c, err := accepted.Verify(token, now)
	if errors.Is(err, healthqr.ErrUnknownIssuer) {
		if _, rerr := revoked.Verify(token, now); rerr == nil || !errors.Is(rerr, healthqr.ErrUnknownIssuer) && !errors.Is(rerr, healthqr.ErrBadSignature) {
			return healthqr.Claims{}, ErrRevoked
		}
	}
	return c, err
}

// writeAtomic replaces path with b through a synced temporary file.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
