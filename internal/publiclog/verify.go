package publiclog

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// verifyPage is how many entries Verify reads at a time.
const verifyPage = 1000

// Verify checks the whole log against its latest head: the head's
// signature under vkey, then every entry from leaf 0, its bytes hashed
// again into the tree, whose root must be the head's. It trusts none of
// the stored hashes. When the root differs, it names the first entry
// that no inclusion proof can tie to the signed head (an entry changed
// in the database); a missing entry is named as missing. Heads saved
// earlier (signed notes, as GET /api/v1/log/head served them) are checked
// too: the entries must still hash to each, which catches what the latest
// head cannot, a log rewritten and signed again whole. It returns the
// tree it checked. Memory grows with the log (its stored hashes, about
// 64 bytes an entry).
func Verify(ctx context.Context, r healthcode.LogReader, vkey string, saved ...[]byte) (tlog.Tree, error) {
	head, err := r.LogHead(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	signed, err := OpenHead(head.Note, vkey)
	if err != nil {
		return tlog.Tree{}, err
	}
	if signed.N != head.Size || signed.Hash != tlog.Hash(head.Hash) {
		return signed, fmt.Errorf("the stored head (size %d) is not the tree its note signs (size %d)", head.Size, signed.N)
	}
	mem := memHashes{}
	for from := int64(0); from < signed.N; from += verifyPage {
		recs, err := r.LogEntries(ctx, from, verifyPage)
		if err != nil {
			return signed, err
		}
		for i, rec := range recs {
			n := from + int64(i)
			if rec.Leaf != n {
				return signed, fmt.Errorf("log entry %d is missing", n)
			}
			hs, err := tlog.StoredHashes(n, rec.Body, mem)
			if err != nil {
				return signed, err
			}
			for j, h := range hs {
				mem[tlog.StoredHashIndex(0, n)+int64(j)] = h
			}
		}
		if want := min(signed.N-from, verifyPage); int64(len(recs)) < want {
			return signed, fmt.Errorf("log entry %d is missing", from+int64(len(recs)))
		}
	}
	root, err := tlog.TreeHash(signed.N, mem)
	if err != nil {
		return signed, err
	}
	if root != signed.Hash {
		return signed, firstBad(ctx, r, signed)
	}
	for _, msg := range saved {
		if err := checkSaved(msg, vkey, signed, mem); err != nil {
			return signed, err
		}
	}
	return signed, nil
}

// checkSaved checks that the tree of an earlier head is a prefix of the
// log's: its entries, hashed again (mem), give its root.
func checkSaved(msg []byte, vkey string, latest tlog.Tree, mem memHashes) error {
	old, err := OpenHead(msg, vkey)
	if err != nil {
		return fmt.Errorf("saved head: %w", err)
	}
	if old.N > latest.N {
		return fmt.Errorf("the saved head of size %d is beyond the log's latest, of size %d: entries were removed", old.N, latest.N)
	}
	root, err := tlog.TreeHash(old.N, mem)
	if err != nil {
		return err
	}
	if root != old.Hash {
		return fmt.Errorf("the log's first %d entries no longer hash to the saved head of size %d: "+
			"entries before %d were changed since it was signed", old.N, old.N, old.N)
	}
	return nil
}

// firstBad finds the first entry whose inclusion in the signed tree
// cannot be proved with the stored hashes. A changed entry's leaf hash
// differs, and no hashes prove a wrong leaf against a signed root.
func firstBad(ctx context.Context, r healthcode.LogReader, t tlog.Tree) error {
	hr := hashReader{ctx, r}
	for from := int64(0); from < t.N; from += verifyPage {
		recs, err := r.LogEntries(ctx, from, verifyPage)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			p, err := tlog.ProveRecord(t.N, rec.Leaf, hr)
			if err != nil || tlog.CheckRecord(p, t.N, t.Hash, rec.Leaf, tlog.RecordHash(rec.Body)) != nil {
				return fmt.Errorf("log entry %d does not match the signed head of size %d", rec.Leaf, t.N)
			}
		}
	}
	return fmt.Errorf("the log's entries do not hash to the signed head of size %d", t.N)
}

// memHashes is a tree's stored hashes in memory.
type memHashes map[int64]tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := m[idx]
		if !ok {
			return nil, fmt.Errorf("no log hash at index %d", idx)
		}
		out[i] = h
	}
	return out, nil
}

// HistoryStore is what VerifyHistory reads: the log and every history.
type HistoryStore interface {
	healthcode.LogReader
	HistoryAfter(ctx context.Context, after int64, n int) ([]healthcode.HistoryEntry, error)
}

// VerifyHistory checks the colour history in the database against the
// log of tree (checked by Verify first): every history entry's contents
// must still give its hash, and that hash must be in the log (or written
// and not placed yet); every history entry the log records must still be
// in the database. It names the first entry that fails, which catches a
// colour row changed with or without its hashes recomputed, and one
// deleted. It reads the history a page at a time and keeps the log's
// history hashes in memory (about 50 bytes an entry).
func VerifyHistory(ctx context.Context, s HistoryStore, tree tlog.Tree) error {
	logged, err := loggedHistories(ctx, s, tree.N)
	if err != nil {
		return err
	}
	var after int64
	for {
		hs, err := s.HistoryAfter(ctx, after, verifyPage)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			break
		}
		var unlogged []*healthcode.HistoryEntry
		for i := range hs {
			h := &hs[i]
			if !bytes.Equal(h.ComputeHash(), h.Hash) {
				return fmt.Errorf("history entry %d of person %d (row %d) does not match its own hash: it was changed", h.Seq, h.PersonID, h.ID)
			}
			if _, ok := logged[string(h.Hash)]; ok {
				delete(logged, string(h.Hash))
			} else {
				unlogged = append(unlogged, h)
			}
		}
		if err := placedLater(ctx, s, unlogged, tree.N); err != nil {
			return err
		}
		after = hs[len(hs)-1].ID
	}
	for _, leaf := range logged {
		return fmt.Errorf("log entry %d records a history entry the database no longer holds: it was deleted", leaf)
	}
	return nil
}

// loggedHistories maps the history hashes the first n log entries record
// to their leaves.
func loggedHistories(ctx context.Context, r healthcode.LogReader, n int64) (map[string]int64, error) {
	logged := map[string]int64{}
	for from := int64(0); from < n; from += verifyPage {
		recs, err := r.LogEntries(ctx, from, int(min(verifyPage, n-from)))
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			e, err := healthcode.DecodeLogEntry(rec.Body)
			if err != nil {
				return nil, fmt.Errorf("log entry %d: %w", rec.Leaf, err)
			}
			if e.History == nil {
				continue
			}
			if !e.History.Opens(rec.HistoryHash, rec.Salt) {
				return nil, fmt.Errorf("log entry %d: the history hash and salt kept beside it do not open its commitment", rec.Leaf)
			}
			logged[string(rec.HistoryHash)] = rec.Leaf
		}
	}
	return logged, nil
}

// placedLater accepts history entries not in the checked tree only when
// the log holds them after it: written since, not placed or placed in a
// later head.
func placedLater(ctx context.Context, r healthcode.LogReader, unlogged []*healthcode.HistoryEntry, size int64) error {
	if len(unlogged) == 0 {
		return nil
	}
	ids := make([]int64, len(unlogged))
	for i, h := range unlogged {
		ids[i] = h.ID
	}
	leaves, err := r.LogLeaves(ctx, ids)
	if err != nil {
		return err
	}
	for _, h := range unlogged {
		if at, ok := leaves[h.ID]; !ok || (at.Leaf >= 0 && at.Leaf < size) {
			return fmt.Errorf("history entry %d of person %d (row %d) is not in the public log: "+
				"it was rewritten with its hashes recomputed, or written around the log", h.Seq, h.PersonID, h.ID)
		}
	}
	return nil
}
