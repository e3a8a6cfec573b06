package publiclog

import (
	"context"
	"fmt"
	"time"

	fmtlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// SequenceEvery is the sequencer's period. An entry is in a signed head
// at most about one period plus one round after its transaction commits:
// a round places up to DefaultBatch entries, and a full round is followed
// by the next at once, so a backlog is worked off at the store's speed,
// not a batch a period.
const SequenceEvery = 200 * time.Millisecond

// SequenceLog runs one round of the sequencer: in one transaction, and
// only when no other server's sequencer holds the log, it places the
// committed entries still without a leaf after the last one, in the
// order they were written, stores the tree's new hashes and signs the new
// head. The first round signs the empty tree, so a head is published from
// the start. It returns how many entries it placed. The server calls it
// every SequenceEvery.
func (l *Log) SequenceLog(ctx context.Context) (int, error) {
	if l.signer == nil {
		return 0, errNoSigner
	}
	var placed int
	var seen *watch
	var alerts []*healthcode.LogAlert
	err := l.store.Update(ctx, func(tx healthcode.Tx) error {
		placed, seen, alerts = 0, nil, nil
		ok, err := tx.LockLog(ctx)
		if err != nil || !ok {
			return err
		}
		var size, after int64
		head, err := tx.LogHead(ctx)
		switch {
		case err == nil:
			size, after = head.Size, head.Through
		case healthcode.ErrorCode(err) != healthcode.ENOTFOUND:
			return err
		}
		pending, through, err := tx.PendingLog(ctx, after, l.batch)
		if err != nil {
			return err
		}
		if head != nil && len(pending) == 0 {
			return nil
		}
		b, err := l.round(ctx, tx, size, pending)
		if err != nil {
			return err
		}
		b.Head.Through = through
		placed = len(pending)
		if err := tx.SequenceLog(ctx, b); err != nil {
			return err
		}
		return l.alert(ctx, tx, pending, &seen, &alerts)
	})
	if err != nil {
		return 0, fmt.Errorf("sequence log: %w", err)
	}
	if seen != nil {
		l.watch = seen
	}
	for _, a := range alerts {
		l.log.WarnContext(ctx, "red alert: many people turned red on one key's or official's word in a short time; it is in the public log",
			"key", a.Key, "official", a.Official, "reds", a.Reds, "within", a.Within, "from", a.From, "to", a.To)
	}
	return placed, nil
}

// alert counts the round's reds (watch) and writes the alerts they raise
// into the log in the round's transaction; the next round places them.
func (l *Log) alert(ctx context.Context, tx healthcode.Tx, pending []healthcode.LogRecord, seen **watch, alerts *[]*healthcode.LogAlert) error {
	if l.watch == nil {
		return nil
	}
	*seen, *alerts = l.watch.see(pending)
	entries := make([]*healthcode.LogEntry, len(*alerts))
	for i, a := range *alerts {
		entries[i] = healthcode.LogOfAlert(a, l.clock())
	}
	if len(entries) == 0 {
		return nil
	}
	return tx.AppendLog(ctx, entries...)
}

// round places pending after the size leaves of the tree and signs the
// result.
func (l *Log) round(ctx context.Context, tx healthcode.Tx, size int64, pending []healthcode.LogRecord) (*healthcode.LogBatch, error) {
	r := &overlay{base: hashReader{ctx, tx}, new: map[int64]tlog.Hash{}}
	b := &healthcode.LogBatch{}
	for i, rec := range pending {
		n := size + int64(i)
		hs, err := tlog.StoredHashes(n, rec.Body, r)
		if err != nil {
			return nil, err
		}
		first := tlog.StoredHashIndex(0, n)
		for j, h := range hs {
			r.new[first+int64(j)] = h
			b.Hashes = append(b.Hashes, healthcode.LogHash{Index: first + int64(j), Hash: h[:]})
		}
		b.Leaves = append(b.Leaves, healthcode.LogRecord{ID: rec.ID, Leaf: n})
	}
	t := tlog.Tree{N: size + int64(len(pending))}
	var err error
	if t.Hash, err = tlog.TreeHash(t.N, r); err != nil {
		return nil, err
	}
	cp := fmtlog.Checkpoint{Origin: l.signer.Name(), Size: uint64(t.N), Hash: t.Hash[:]}
	msg, err := note.Sign(&note.Note{Text: string(cp.Marshal())}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("sign log head: %w", err)
	}
	b.Head = healthcode.LogHead{Size: t.N, Hash: t.Hash[:], Note: msg, SignedAt: l.clock()}
	return b, nil
}

// overlay reads the hashes of the round being made from memory and the
// others from the store, in one read.
type overlay struct {
	base tlog.HashReader
	new  map[int64]tlog.Hash
}

func (o *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for i, idx := range indexes {
		if h, ok := o.new[idx]; ok {
			out[i] = h
			continue
		}
		missing, at = append(missing, idx), append(at, i)
	}
	if len(missing) > 0 {
		hs, err := o.base.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for j, i := range at {
			out[i] = hs[j]
		}
	}
	return out, nil
}

// RunSequencer calls SequenceLog every period until ctx ends. A failing
// round is logged once, when the failures start, and the recovery once:
// five lines a second through a database outage would bury the rest.
func (l *Log) RunSequencer(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		placed, err := l.SequenceLog(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			l.log.ErrorContext(ctx, "public log sequencer failing; it keeps trying", "err", err)
			failing = true
		case err == nil && failing:
			l.log.InfoContext(ctx, "public log sequencer working again")
			failing = false
		}
		if err == nil && placed == l.batch && ctx.Err() == nil {
			continue // a backlog: the next round at once, not a period later
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
