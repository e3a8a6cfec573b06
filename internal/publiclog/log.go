// Package publiclog keeps the public, append-only log of every colour
// change and every operator's or official's action (docs/log.md): the
// entries are the leaves of an RFC 6962 Merkle tree, hashed by
// golang.org/x/mod/sumdb/tlog, and the tree's heads are C2SP
// tlog-checkpoints (github.com/transparency-dev/formats/log) in signed
// notes (golang.org/x/mod/sumdb/note, Ed25519). Actions write their entries in
// their own transactions (healthcode.LogWriter.AppendLog); the sequencer
// here places them in the tree in the background and signs each new
// head; anyone holding the verifier key can then check an entry's
// inclusion and the consistency of two heads, and Verify checks the
// whole log against its latest head.
package publiclog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	fmtlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// Store is what the log is kept in.
type Store interface {
	healthcode.LogReader
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Log serves the public log's heads, entries and proofs, and sequences
// it. It is safe for concurrent use.
type Log struct {
	store    Store
	signer   note.Signer // nil: the log is read, never sequenced, here
	verifier string
	clock    func() time.Time
	log      *slog.Logger
	batch    int
	watch    *watch // the live red alert; nil: off. Only the sequencer's goroutine touches it.
}

// New returns a Log on store whose heads signer signs (nil for a log only
// read here) and verifier, the signer's verifier key in note's text form,
// checks. clock gives the time heads are signed at.
func New(store Store, signer note.Signer, verifier string, clock func() time.Time, log *slog.Logger) *Log {
	return &Log{store: store, signer: signer, verifier: verifier, clock: clock, log: log, batch: DefaultBatch}
}

// DefaultBatch is how many entries one sequencer round places at most, so
// that a backlog is worked off in transactions of bounded size.
const DefaultBatch = 1000

// LogVerifierKey returns the verifier key of the log's heads, in the text
// form note.NewVerifier reads: what a third party needs to check them.
// Anyone may call it.
func (l *Log) LogVerifierKey() string { return l.verifier }

// LogHead returns the latest signed tree head. Anyone may call it.
// Errors: ENOTFOUND before the first head is signed.
func (l *Log) LogHead(ctx context.Context) (*healthcode.LogHead, error) {
	return l.store.LogHead(ctx)
}

// LogEntry returns the entry at leaf index and its leaf hash
// (tlog.RecordHash of its bytes). Anyone may call it, so the record has
// only its body and numbers: the history hash and salt kept beside it
// would link it to a person. Errors: ENOTFOUND
// for an index not sequenced yet, EINVALID for a negative one.
func (l *Log) LogEntry(ctx context.Context, index int64) (*healthcode.LogRecord, tlog.Hash, error) {
	if index < 0 {
		return nil, tlog.Hash{}, healthcode.Errorf(healthcode.EINVALID, "A leaf index is 0 or more.")
	}
	recs, err := l.store.LogEntries(ctx, index, 1)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	if len(recs) == 0 {
		return nil, tlog.Hash{}, healthcode.Errorf(healthcode.ENOTFOUND, "The log has no entry %d yet.", index)
	}
	rec := healthcode.LogRecord{ID: recs[0].ID, Leaf: recs[0].Leaf, Body: recs[0].Body}
	return &rec, tlog.RecordHash(rec.Body), nil
}

// LogInclusion proves that leaf index is in the tree of size leaves: the
// hashes tlog.CheckRecord takes. Anyone may call it. Errors: EINVALID
// unless 0 ≤ index < size ≤ the latest head's size.
func (l *Log) LogInclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.withinHead(ctx, index, size, index < size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(size, index, hashReader{ctx, l.store})
}

// LogConsistency proves that the tree of size from is a prefix of the
// tree of size to: the hashes tlog.CheckTree takes. Anyone may call it.
// Errors: EINVALID unless 1 ≤ from ≤ to ≤ the latest head's size.
func (l *Log) LogConsistency(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	if err := l.withinHead(ctx, from, to, from >= 1 && from <= to); err != nil {
		return nil, err
	}
	return tlog.ProveTree(to, from, hashReader{ctx, l.store})
}

// withinHead checks a proof's sizes: ok, and size at most the latest
// signed head's, for a proof against a tree nobody was shown is of no use.
func (l *Log) withinHead(ctx context.Context, lo, size int64, ok bool) error {
	if !ok || lo < 0 {
		return healthcode.Errorf(healthcode.EINVALID, "Sizes out of order: %d and %d.", lo, size)
	}
	head, err := l.store.LogHead(ctx)
	if err != nil {
		return err
	}
	if size > head.Size {
		return healthcode.Errorf(healthcode.EINVALID, "The latest head is of size %d, not %d yet.", head.Size, size)
	}
	return nil
}

// hashReader reads the tree's stored hashes from the store.
type hashReader struct {
	ctx context.Context
	r   healthcode.LogReader
}

func (h hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	bs, err := h.r.LogHashes(h.ctx, indexes)
	if err != nil {
		return nil, err
	}
	return toHashes(bs)
}

func toHashes(bs [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("stored log hash of %d bytes", len(b))
		}
		out[i] = tlog.Hash(b)
	}
	return out, nil
}

// OpenHead checks a head's signature with the verifier key vkey and
// returns the tree it signs. A head is a C2SP tlog-checkpoint whose
// origin is the key's name. Heads signed before the log took that format
// (x/mod's "go.sum database tree" text) are read too, so that a saved
// one still checks a later one.
func OpenHead(msg []byte, vkey string) (tlog.Tree, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("log verifier key: %w", err)
	}
	if cp, _, _, err := fmtlog.ParseCheckpoint(msg, v.Name(), v); err == nil {
		if len(cp.Hash) != tlog.HashSize || cp.Size > math.MaxInt64 {
			return tlog.Tree{}, errors.New("log head: not a tree of SHA-256 hashes")
		}
		return tlog.Tree{N: int64(cp.Size), Hash: tlog.Hash(cp.Hash)}, nil
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("log head: %w", err)
	}
	t, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("log head: not a checkpoint of %s: %w", v.Name(), err)
	}
	return t, nil
}

var errNoSigner = errors.New("publiclog: no signer: this log is only read here")
