package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"healthcode"
)

// dueQuery reads only the partial index statuses_due: the explicit IS NOT
// NULL matches the index's WHERE clause and ORDER BY is the index's order,
// so SQLite walks the due entries and stops at the limit. EXPLAIN QUERY
// PLAN says "SEARCH statuses USING COVERING INDEX statuses_due
// (next_eval_at>? AND next_eval_at<?)", with no sort
// (TestDuePersonsUsesIndex).
const dueQuery = `SELECT person_id FROM statuses
	WHERE next_eval_at IS NOT NULL AND next_eval_at <= ? ORDER BY next_eval_at LIMIT ?`

// DuePersons implements healthcode.Store.
func (db *DB) DuePersons(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	rows, err := db.query(ctx, dueQuery, micro(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, limit)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due persons: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	return ids, nil
}

// idList passes any number of ids as one parameter, read back with
// json_each: no statement per count of ids and no variable limit. The
// planner still looks each id up in the primary key or index.
func idList(ids []int64) string {
	b, _ := json.Marshal(ids) // []int64 always encodes
	return string(b)
}

// The batch reads look each id up: persons by primary key, facts by
// facts_person, which also gives their order (TestBatchReadsUseIndexes).
const (
	lockPersonsQuery = `SELECT ` + personColumns + personFrom +
		`WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY p.id`
	factsOfQuery = `SELECT ` + factColumns + ` FROM facts
		WHERE person_id IN (SELECT value FROM json_each(?)) ORDER BY person_id, at, id`
)

// LockPersons needs no lock of its own, as LockPerson: the transaction
// holds the database's only write lock, so no person is ever left out for
// being held elsewhere.
func (t *tx) LockPersons(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := t.query(ctx, lockPersonsQuery, idList(ids))
	if err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	ps, err := scanPersons(rows)
	if err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	return ps, nil
}

func (r reader) FactsOf(ctx context.Context, ids []int64) (map[int64][]healthcode.Fact, error) {
	out := make(map[int64][]healthcode.Fact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.query(ctx, factsOfQuery, idList(ids))
	if err != nil {
		return nil, fmt.Errorf("facts of persons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			return nil, fmt.Errorf("facts of persons: %w", err)
		}
		out[f.PersonID] = append(out[f.PersonID], f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facts of persons: %w", err)
	}
	return out, nil
}

// maxVariables is SQLite's limit on parameters in one statement
// (SQLITE_MAX_VARIABLE_NUMBER since 3.32); batched inserts are cut into
// statements under it.
const maxVariables = 32766

// values returns "(?, …), (?, …)" for rows rows of cols parameters.
func values(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// chunks calls fn with successive [lo, hi) ranges of n rows, each small
// enough for cols parameters a row.
func chunks(n, cols int, fn func(lo, hi int) error) error {
	step := maxVariables / cols
	for lo := 0; lo < n; lo += step {
		if err := fn(lo, min(lo+step, n)); err != nil {
			return err
		}
	}
	return nil
}

const statusColumns = 13

func (t *tx) PutStatuses(ctx context.Context, statuses map[int64]*healthcode.Status) error {
	// In id order, so the same batch always writes the same way.
	ids := slices.Sorted(maps.Keys(statuses))
	return chunks(len(ids), statusColumns, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*statusColumns)
		for _, id := range ids[lo:hi] {
			s := statuses[id]
			factIDs, reason, next, detail, err := statusJSON(s)
			if err != nil {
				return err
			}
			args = append(args, id, int64(s.Color), micro(s.Since), s.Policy, s.Rule, factIDs, reason, next, detail,
				nullMicro(s.NextEvalAt), micro(s.EvaluatedAt), s.HeadSeq, s.HeadHash)
		}
		_, err := t.exec(ctx, "put statuses", `INSERT INTO statuses (person_id, color, since, policy, rule, fact_ids,
			reason, next, detail, next_eval_at, evaluated_at, head_seq, head_hash) VALUES `+values(hi-lo, statusColumns)+`
			ON CONFLICT (person_id) DO UPDATE SET color = excluded.color, since = excluded.since,
			policy = excluded.policy, rule = excluded.rule, fact_ids = excluded.fact_ids, reason = excluded.reason,
			next = excluded.next, detail = excluded.detail, next_eval_at = excluded.next_eval_at, evaluated_at = excluded.evaluated_at,
			head_seq = excluded.head_seq, head_hash = excluded.head_hash`, args...)
		return err
	})
}

const historyColumns = 10

// historyKey finds an entry again in rows returned in no promised order.
type historyKey struct{ person, seq int64 }

func (t *tx) AppendHistories(ctx context.Context, entries []*healthcode.HistoryEntry) error {
	byKey := make(map[historyKey]*healthcode.HistoryEntry, len(entries))
	for _, h := range entries {
		byKey[historyKey{h.PersonID, h.Seq}] = h
	}
	return chunks(len(entries), historyColumns, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*historyColumns)
		for _, h := range entries[lo:hi] {
			if err := h.Validate(); err != nil {
				return err
			}
			factIDs, err := json.Marshal(nonNil(h.FactIDs))
			if err != nil {
				return fmt.Errorf("encode history: %w", err)
			}
			args = append(args, h.PersonID, h.Seq, int64(h.From), int64(h.To), h.Rule, string(factIDs), h.Author,
				micro(h.At), h.PrevHash, h.Hash)
		}
		rows, err := t.tx.QueryContext(ctx, `INSERT INTO status_history (person_id, seq, from_color, to_color, rule,
			fact_ids, author, at, prev_hash, hash) VALUES `+values(hi-lo, historyColumns)+`
			RETURNING id, person_id, seq`, args...)
		if err != nil {
			return fmt.Errorf("append histories: %w", translate(err))
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var k historyKey
			if err := rows.Scan(&id, &k.person, &k.seq); err != nil {
				return fmt.Errorf("append histories: %w", translate(err))
			}
			if h := byKey[k]; h != nil {
				h.ID = id
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("append histories: %w", translate(err))
		}
		return nil
	})
}

// nonNil stores no fact ids as [] rather than null, so they read back as
// an empty slice.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
