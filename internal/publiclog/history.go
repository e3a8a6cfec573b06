package publiclog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// Inclusion is a history entry's place in the public log, for its owner
// to check: the leaf, the entry's bytes there (whose commitment the
// history entry's hash opens with Salt), and the hashes proving it is in
// the tree of Size. Salt is the owner's alone: with it anyone could find
// the entry in the log.
type Inclusion struct {
	Index  int64       `json:"index"`
	Size   int64       `json:"size"`
	Entry  []byte      `json:"entry"`
	Salt   []byte      `json:"salt"`
	Hashes []tlog.Hash `json:"hashes"`
}

// Inclusions is where history entries are in the log of the latest head.
type Inclusions struct {
	// Head is the latest signed head, nil before the first.
	Head *healthcode.LogHead
	// ByHash has an Inclusion for each history hash the head covers, its
	// proof checked here against the head.
	ByHash map[string]*Inclusion
}

// LogInclusions finds these history entries in the public log (by their
// IDs) and proves each the latest head covers. The caller shows a person
// their own history with it (who may see which history is the caller's
// to check). An entry whose proof does not check here is left out, and
// logged, as one the log does not hold.
func (l *Log) LogInclusions(ctx context.Context, history []*healthcode.HistoryEntry) (*Inclusions, error) {
	inc := &Inclusions{ByHash: map[string]*Inclusion{}}
	head, err := l.store.LogHead(ctx)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return inc, nil
	}
	if err != nil {
		return nil, err
	}
	inc.Head = head
	ids := make([]int64, len(history))
	for i, h := range history {
		ids[i] = h.ID
	}
	leaves, err := l.store.LogLeaves(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, h := range history {
		leaf, ok := leaves[h.ID]
		if !ok || leaf.Leaf < 0 || leaf.Leaf >= head.Size {
			continue // not in the log, not placed yet, or placed after the head was read
		}
		one, err := l.include(ctx, head, leaf, h.Hash)
		if err != nil {
			return nil, err
		}
		if one != nil {
			inc.ByHash[string(h.Hash)] = one
		}
	}
	return inc, nil
}

// include proves leaf in head's tree and checks, as the owner would, that
// the history hash opens the entry's commitment there and the proof holds.
func (l *Log) include(ctx context.Context, head *healthcode.LogHead, at healthcode.LogLeaf, historyHash []byte) (*Inclusion, error) {
	leaf := at.Leaf
	rec, leafHash, err := l.LogEntry(ctx, leaf)
	if err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(head.Size, leaf, hashReader{ctx, l.store})
	if err != nil {
		return nil, err
	}
	e, err := healthcode.DecodeLogEntry(rec.Body)
	if err != nil || e.History == nil || !e.History.Opens(historyHash, at.Salt) ||
		tlog.CheckRecord(p, head.Size, tlog.Hash(head.Hash), leaf, leafHash) != nil {
		l.log.ErrorContext(ctx, "a history entry's log leaf does not check", "leaf", leaf)
		return nil, nil
	}
	return &Inclusion{Index: leaf, Size: head.Size, Entry: rec.Body, Salt: at.Salt, Hashes: p}, nil
}

// CheckOwn is the owner's check of one history entry against the log, with
// the head, the log's verifier key and the entry's inclusion alone: the
// head is signed by the key, the entry's bytes are its leaf index, and
// the history hash opens the commitment there with the owner's salt.
// It returns the checked tree.
func CheckOwn(head []byte, vkey string, historyHash []byte, inc *Inclusion) (tlog.Tree, error) {
	tree, err := OpenHead(head, vkey)
	if err != nil {
		return tlog.Tree{}, err
	}
	if inc == nil || inc.Size != tree.N {
		return tlog.Tree{}, fmt.Errorf("history entry not in the log of head %d", tree.N)
	}
	if err := tlog.CheckRecord(inc.Hashes, tree.N, tree.Hash, inc.Index, tlog.RecordHash(inc.Entry)); err != nil {
		return tlog.Tree{}, fmt.Errorf("log entry %d: %w", inc.Index, err)
	}
	e, err := healthcode.DecodeLogEntry(inc.Entry)
	if err != nil {
		return tlog.Tree{}, err
	}
	if e.History == nil || !e.History.Opens(historyHash, inc.Salt) {
		return tlog.Tree{}, fmt.Errorf("log entry %d does not commit to this history entry", inc.Index)
	}
	return tree, nil
}
