package storetest

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"testing"

	"healthcode"
)

func logEntry(rule string) *healthcode.LogEntry {
	return &healthcode.LogEntry{Format: healthcode.LogFormat, Kind: healthcode.LogHistory, At: at,
		Author: healthcode.LogAuthor{Role: healthcode.RoleSystem}, Rule: rule,
		History: &healthcode.LogChange{From: healthcode.Green, To: healthcode.Red, Hash: []byte(rule), Salt: []byte("salt " + rule),
			HistoryID: int64(rule[0])}} // the rule's first letter: a history row of its own
}

// testLogEntriesArePlacedOnce: entries wait without a leaf, in the order
// written, until a round places them; a round stores its hashes and head,
// and nothing can be placed or stored twice.
func testLogEntriesArePlacedOnce(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	_, err := s.LogHead(ctx)
	wantCode(t, err, healthcode.ENOTFOUND)
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, logEntry("a"), logEntry("b")) })
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, logEntry("c")) })
	// A rolled-back action leaves no entry.
	_ = s.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.AppendLog(ctx, logEntry("rolled back")); err != nil {
			return err
		}
		return errors.New("the action failed")
	})
	var pending []healthcode.LogRecord
	var through int64
	update(t, s, func(tx healthcode.Tx) error {
		ok, err := tx.LockLog(ctx)
		if err != nil || !ok {
			t.Fatalf("LockLog of a lone transaction = %v, %v", ok, err)
		}
		pending, through, err = tx.PendingLog(ctx, 0, 10)
		return err
	})
	if len(pending) != 3 {
		t.Fatalf("%d pending, want the 3 committed", len(pending))
	}
	// The rolled-back entry may have taken an id (PostgreSQL): through
	// covers it, for no entry will ever have it.
	if through < pending[2].ID {
		t.Errorf("through %d, want at least the last pending id %d", through, pending[2].ID)
	}
	update(t, s, func(tx healthcode.Tx) error {
		limited, upTo, err := tx.PendingLog(ctx, 0, 2)
		if len(limited) != 2 || upTo != limited[1].ID {
			t.Errorf("PendingLog(0, 2) = %d entries through %d, want 2 through the second's id %d", len(limited), upTo, pending[1].ID)
		}
		rest, _, err2 := tx.PendingLog(ctx, upTo, 10)
		if len(rest) != 1 || rest[0].ID != pending[2].ID {
			t.Errorf("PendingLog after the first two = %+v, want the third", rest)
		}
		return errors.Join(err, err2)
	})
	for i, rule := range []string{"a", "b", "c"} {
		want, _ := logEntry(rule).Encode()
		if pending[i].Leaf != -1 || !bytes.Equal(pending[i].Body, want) {
			t.Errorf("pending %d = leaf %d %s, want no leaf and %s", i, pending[i].Leaf, pending[i].Body, want)
		}
	}
	b := &healthcode.LogBatch{
		Hashes: []healthcode.LogHash{{Index: 0, Hash: []byte("h0")}, {Index: 1, Hash: []byte("h1")}, {Index: 2, Hash: []byte("h2")}},
		Head:   healthcode.LogHead{Size: 3, Hash: []byte("root"), Note: []byte("signed"), SignedAt: at, Through: through},
	}
	for i, r := range pending {
		b.Leaves = append(b.Leaves, healthcode.LogRecord{ID: r.ID, Leaf: int64(i)})
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.SequenceLog(ctx, b) })

	recs, err := s.LogEntries(ctx, 1, 10)
	if err != nil || len(recs) != 2 || recs[0].Leaf != 1 || !bytes.Equal(recs[1].Body, pending[2].Body) {
		t.Errorf("LogEntries(1, 10) = %+v, %v; want leaves 1 and 2", recs, err)
	}
	hs, err := s.LogHashes(ctx, []int64{2, 0})
	if err != nil || len(hs) != 2 || string(hs[0]) != "h2" || string(hs[1]) != "h0" {
		t.Errorf("LogHashes(2, 0) = %q, %v", hs, err)
	}
	_, err = s.LogHashes(ctx, []int64{0, 7})
	wantCode(t, err, healthcode.ENOTFOUND)
	head, err := s.LogHead(ctx)
	if err != nil || head.Size != 3 || string(head.Note) != "signed" || !head.SignedAt.Equal(at) || head.Through != through {
		t.Errorf("LogHead = %+v, %v", head, err)
	}
	update(t, s, func(tx healthcode.Tx) error {
		pending, _, err = tx.PendingLog(ctx, head.Through, 10)
		return err
	})
	if len(pending) != 0 {
		t.Errorf("%d still pending after the round", len(pending))
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, logEntry("d")) })
	leaves, err := s.LogLeaves(ctx, []int64{'a', 'c', 'd', 9999})
	got := map[string]int64{}
	for id, at := range leaves {
		h := string(rune(id))
		got[h] = at.Leaf
		if string(at.Salt) != "salt "+h {
			t.Errorf("LogLeaves gives history %d the salt %q; want the one written with it", id, at.Salt)
		}
	}
	if want := map[string]int64{"a": 0, "c": 2, "d": -1}; err != nil || !maps.Equal(got, want) {
		t.Errorf("LogLeaves = %v, %v; want %v: placed history hashes by leaf, pending ones -1", got, err, want)
	}
	wantCode(t, s.Update(ctx, func(tx healthcode.Tx) error { return tx.SequenceLog(ctx, b) }), healthcode.ECONFLICT)
	again := &healthcode.LogBatch{Head: b.Head}
	wantCode(t, s.Update(ctx, func(tx healthcode.Tx) error { return tx.SequenceLog(ctx, again) }), healthcode.ECONFLICT)
}
