package store

import (
	"context"
	"fmt"

	"healthcode"
)

// AppendLog keeps a history entry's hash beside its log entry, so that
// a person's history finds its leaves (LogLeaves).
func (t *tx) AppendLog(ctx context.Context, entries ...*healthcode.LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	vals := make([]any, 0, len(logEntryCols)*len(entries))
	for _, e := range entries {
		b, err := e.Encode()
		if err != nil {
			return err
		}
		var history, salt []byte
		var historyID any
		if e.History != nil {
			history, salt = e.History.Hash, e.History.Salt
			if e.History.HistoryID != 0 {
				historyID = e.History.HistoryID
			}
		}
		vals = append(vals, b, history, salt, historyID)
	}
	if t.d.logWriter != "" && !t.logWriting {
		if _, err := t.exec(ctx, "join the log's writers", t.d.logWriter); err != nil {
			return err
		}
		t.logWriting = true
	}
	_, err := t.bulk(ctx, logEntryCols, vals, func(rows string) string {
		return `INSERT INTO log_entries (body, history_hash, salt, history_id) ` + rows
	}, nil)
	if err != nil {
		return fmt.Errorf("append log: %w", translate(t.d, err))
	}
	return nil
}

func (t *tx) LockLog(ctx context.Context) (bool, error) {
	if t.d.lockLog == "" {
		return true, nil
	}
	var got bool
	if err := queryRow(ctx, t.q, t.d.lockLog).Scan(&got); err != nil {
		return false, fmt.Errorf("lock log: %w", translate(t.d, err))
	}
	return got, nil
}

// pendingLogQuery reads the entries to place: after the latest head's
// through, up to the dialect's bound, in id order. Only a log upgraded
// from migration 0009 has entries there with a leaf already (placed out
// of id order), which the leaves' entry index skips.
const pendingLogQuery = `SELECT id, body FROM log_entries e WHERE id > $1 AND id <= $2
	AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.entry = e.id) ORDER BY id LIMIT $3`

// PendingLog returns up to limit entries to place after id after, and
// the id the next head's through may record: every entry up to it is then
// placed.
func (t *tx) PendingLog(ctx context.Context, after int64, limit int) ([]healthcode.LogRecord, int64, error) {
	bound, ok, err := t.d.logBound(ctx, t)
	if err != nil {
		return nil, 0, fmt.Errorf("pending log: %w", translate(t.d, err))
	}
	if !ok || bound <= after {
		return nil, after, nil
	}
	rows, err := t.query(ctx, pendingLogQuery, after, bound, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("pending log: %w", err)
	}
	recs, err := collect(t.d, rows, func(r scanner) (healthcode.LogRecord, error) {
		rec := healthcode.LogRecord{Leaf: -1}
		return rec, r.Scan(&rec.ID, &rec.Body)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("pending log: %w", translate(t.d, err))
	}
	if len(recs) == limit {
		bound = recs[len(recs)-1].ID
	}
	return recs, bound, nil
}

var (
	logEntryCols = []column{{"body", "bytea"}, {"history_hash", "bytea"}, {"salt", "bytea"}, {"history_id", "bigint"}}
	logLeafCols  = []column{{"leaf", "bigint"}, {"entry", "bigint"}}
	logHashCols  = []column{{"idx", "bigint"}, {"hash", "bytea"}}
)

// SequenceLog records the round's leaves (log_leaves' keys refuse a leaf
// or an entry placed twice: two sequencers racing), then stores the
// hashes and the head.
func (t *tx) SequenceLog(ctx context.Context, b *healthcode.LogBatch) error {
	leaves := make([]any, 0, 2*len(b.Leaves))
	for _, r := range b.Leaves {
		leaves = append(leaves, r.Leaf, r.ID)
	}
	if _, err := t.bulk(ctx, logLeafCols, leaves, func(rows string) string {
		return `INSERT INTO log_leaves (leaf, entry) ` + rows
	}, nil); err != nil {
		return fmt.Errorf("sequence log: %w", translate(t.d, err))
	}
	hashes := make([]any, 0, 2*len(b.Hashes))
	for _, h := range b.Hashes {
		hashes = append(hashes, h.Index, h.Hash)
	}
	if _, err := t.bulk(ctx, logHashCols, hashes, func(rows string) string {
		return `INSERT INTO log_hashes (idx, hash) ` + rows
	}, nil); err != nil {
		return fmt.Errorf("store log hashes: %w", translate(t.d, err))
	}
	_, err := t.exec(ctx, "store log head", `INSERT INTO log_heads (size, hash, note, signed_at, through) VALUES ($1, $2, $3, $4, $5)`,
		b.Head.Size, b.Head.Hash, b.Head.Note, t.at(b.Head.SignedAt), b.Head.Through)
	return err
}

func (r reader) LogHead(ctx context.Context) (*healthcode.LogHead, error) {
	var h healthcode.LogHead
	err := r.queryRow(ctx, `SELECT size, hash, note, signed_at, coalesce(through, 0) FROM log_heads ORDER BY size DESC LIMIT 1`).
		Scan(&h.Size, &h.Hash, &h.Note, timeCol{&h.SignedAt}, &h.Through)
	if err != nil {
		return nil, fmt.Errorf("log head: %w", translate(r.d, err))
	}
	return &h, nil
}

func (r reader) LogEntries(ctx context.Context, from int64, n int) ([]healthcode.LogRecord, error) {
	rows, err := r.query(ctx, `SELECT e.id, l.leaf, e.body, e.history_hash, e.salt FROM log_leaves l JOIN log_entries e ON e.id = l.entry
		WHERE l.leaf >= $1 AND l.leaf < $2 ORDER BY l.leaf`,
		from, from+int64(n))
	if err != nil {
		return nil, fmt.Errorf("log entries: %w", err)
	}
	recs, err := collect(r.d, rows, func(row scanner) (healthcode.LogRecord, error) {
		var rec healthcode.LogRecord
		return rec, row.Scan(&rec.ID, &rec.Leaf, &rec.Body, &rec.HistoryHash, &rec.Salt)
	})
	if err != nil {
		return nil, fmt.Errorf("log entries: %w", translate(r.d, err))
	}
	return recs, nil
}

func (r reader) LogHashes(ctx context.Context, indexes []int64) ([][]byte, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	rows, err := r.query(ctx, `SELECT idx, hash FROM log_hashes WHERE `+in(r.d, "idx", "$1"), r.d.arg(indexes))
	if err != nil {
		return nil, fmt.Errorf("log hashes: %w", err)
	}
	got := make(map[int64][]byte, len(indexes))
	err = each(r.d, rows, func(row scanner) error {
		var idx int64
		var h []byte
		if err := row.Scan(&idx, &h); err != nil {
			return err
		}
		got[idx] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log hashes: %w", translate(r.d, err))
	}
	out := make([][]byte, len(indexes))
	for i, idx := range indexes {
		if out[i] = got[idx]; out[i] == nil {
			return nil, healthcode.Errorf(healthcode.ENOTFOUND, "The log holds no hash at index %d.", idx)
		}
	}
	return out, nil
}

func (r reader) LogLeaves(ctx context.Context, historyIDs []int64) (map[int64]healthcode.LogLeaf, error) {
	leaves := make(map[int64]healthcode.LogLeaf, len(historyIDs))
	if len(historyIDs) == 0 {
		return leaves, nil
	}
	rows, err := r.query(ctx, `SELECT e.history_id, coalesce(l.leaf, -1), e.salt FROM log_entries e LEFT JOIN log_leaves l ON l.entry = e.id WHERE `+
		in(r.d, "e.history_id", "$1"), r.d.arg(historyIDs))
	if err != nil {
		return nil, fmt.Errorf("log leaves: %w", err)
	}
	err = each(r.d, rows, func(row scanner) error {
		var id int64
		var leaf healthcode.LogLeaf
		if err := row.Scan(&id, &leaf.Leaf, &leaf.Salt); err != nil {
			return err
		}
		leaves[id] = leaf
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log leaves: %w", translate(r.d, err))
	}
	return leaves, nil
}
