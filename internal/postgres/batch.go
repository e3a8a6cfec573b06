package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
)

// dueQuery reads only the partial index statuses_due, in its order, and
// stops at the limit: EXPLAIN shows "Index Scan using statuses_due" under
// the Limit, for custom and generic plans alike (TestDuePersonsUsesIndex).
// IS NOT NULL is implied by <= but spelled out to match the index's WHERE.
const dueQuery = `SELECT person_id FROM statuses
	WHERE next_eval_at IS NOT NULL AND next_eval_at <= $1 ORDER BY next_eval_at LIMIT $2`

// DuePersons implements healthcode.Store.
func (db *DB) DuePersons(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	rows, err := db.q.Query(ctx, dueQuery, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	return ids, nil
}

// The batch reads look each id up in persons_pkey or facts_person
// (TestBatchReadsUseIndexes). Locks are taken in id order, so lockers of
// overlapping sets cannot deadlock.
const (
	skipLockedQuery    = `SELECT id FROM persons WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED`
	lockAllQuery       = `SELECT id FROM persons WHERE id = ANY($1) ORDER BY id FOR UPDATE`
	lockedPersonsQuery = `SELECT ` + personColumns + personFrom + `WHERE p.id = ANY($1) ORDER BY p.id`
	factsOfQuery       = `SELECT ` + factColumns + ` FROM facts WHERE person_id = ANY($1) ORDER BY person_id, at, id`
)

// LockPersons locks what it can FOR UPDATE SKIP LOCKED, then reads the
// persons in a second statement, for the reason LockPerson gives.
func (t *tx) LockPersons(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return t.lockPersons(ctx, skipLockedQuery, lockedPersonsQuery, ids)
}

// LockAll is LockPersons without SKIP LOCKED.
func (t *tx) LockAll(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return t.lockPersons(ctx, lockAllQuery, lockedPersonsQuery, ids)
}

// lockPersons locks with lockQuery, which answers the ids it locked, then
// reads the persons with readQuery, for the reason LockPerson gives: a
// joined statuses row read by the locking statement may predate a commit
// made just before the lock was taken. Both statements go in one batch,
// with the same argument. The second reads every person the argument
// names, since it cannot see the first's result, and those that were not
// locked are dropped here.
func (t *tx) lockPersons(ctx context.Context, lockQuery, readQuery string, arg any) ([]*healthcode.Person, error) {
	b := &pgx.Batch{}
	b.Queue(lockQuery, arg)
	b.Queue(readQuery, arg)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	lockedIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	locked := make(map[int64]bool, len(lockedIDs))
	for _, id := range lockedIDs {
		locked[id] = true
	}
	if rows, err = br.Query(); err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	ps := make([]*healthcode.Person, 0, len(lockedIDs))
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("lock persons: %w", err)
		}
		if locked[p.ID] {
			ps = append(ps, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	return ps, nil
}

func (r reader) FactsOf(ctx context.Context, ids []int64) (map[int64][]healthcode.Fact, error) {
	out := make(map[int64][]healthcode.Fact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.q.Query(ctx, factsOfQuery, ids)
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

// PutStatuses sends one array a column and unnests them into rows: one
// statement whatever the count, planned once.
func (t *tx) PutStatuses(ctx context.Context, statuses map[int64]*healthcode.Status) error {
	if len(statuses) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(statuses)) // id order: the order locks are taken in
	n := len(ids)
	var (
		colors                  = make([]int16, 0, n)
		since, evaluated        = make([]time.Time, 0, n), make([]time.Time, 0, n)
		nextEval                = make([]*time.Time, 0, n)
		policies, rules         = make([]string, 0, n), make([]string, 0, n)
		factIDs, reasons, nexts = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		details                 = make([]string, 0, n)
		headSeqs                = make([]int64, 0, n)
		headHashes              = make([][]byte, 0, n)
	)
	for _, id := range ids {
		s := statuses[id]
		f, r, x, dt, err := statusJSON(s)
		if err != nil {
			return err
		}
		colors, since, evaluated = append(colors, int16(s.Color)), append(since, s.Since), append(evaluated, s.EvaluatedAt)
		nextEval, policies, rules = append(nextEval, nullTime(s.NextEvalAt)), append(policies, s.Policy), append(rules, s.Rule)
		factIDs, reasons, nexts = append(factIDs, string(f)), append(reasons, string(r)), append(nexts, string(x))
		details = append(details, string(dt))
		headSeqs, headHashes = append(headSeqs, s.HeadSeq), append(headHashes, s.HeadHash)
	}
	_, err := t.exec(ctx, "put statuses", `INSERT INTO statuses (person_id, color, since, policy, rule, fact_ids,
		reason, next, detail, next_eval_at, evaluated_at, head_seq, head_hash)
		SELECT u.person_id, u.color, u.since, u.policy, u.rule, u.fact_ids::jsonb, u.reason::jsonb, u.next::jsonb,
			u.detail::jsonb, u.next_eval_at, u.evaluated_at, u.head_seq, u.head_hash
		FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::bytea[])
			AS u (person_id, color, since, policy, rule, fact_ids, reason, next, detail, next_eval_at, evaluated_at,
				head_seq, head_hash)
		ON CONFLICT (person_id) DO UPDATE SET color = excluded.color, since = excluded.since,
		policy = excluded.policy, rule = excluded.rule, fact_ids = excluded.fact_ids, reason = excluded.reason,
		next = excluded.next, detail = excluded.detail, next_eval_at = excluded.next_eval_at, evaluated_at = excluded.evaluated_at,
		head_seq = excluded.head_seq, head_hash = excluded.head_hash`,
		ids, colors, since, policies, rules, factIDs, reasons, nexts, details, nextEval, evaluated, headSeqs, headHashes)
	return err
}

// historyKey finds an entry again among rows RETURNING gives back in no
// promised order.
type historyKey struct{ person, seq int64 }

// AppendHistories inserts every entry in one statement, as PutStatuses.
func (t *tx) AppendHistories(ctx context.Context, entries []*healthcode.HistoryEntry) error {
	if len(entries) == 0 {
		return nil
	}
	n := len(entries)
	var (
		persons, seqs  = make([]int64, 0, n), make([]int64, 0, n)
		froms, tos     = make([]int16, 0, n), make([]int16, 0, n)
		rules, authors = make([]string, 0, n), make([]string, 0, n)
		factIDs        = make([]string, 0, n)
		ats            = make([]time.Time, 0, n)
		prevs, hashes  = make([][]byte, 0, n), make([][]byte, 0, n)
		byKey          = make(map[historyKey]*healthcode.HistoryEntry, n)
	)
	for _, h := range entries {
		if err := h.Validate(); err != nil {
			return err
		}
		f, err := json.Marshal(nonNil(h.FactIDs))
		if err != nil {
			return fmt.Errorf("encode history: %w", err)
		}
		persons, seqs, froms, tos = append(persons, h.PersonID), append(seqs, h.Seq), append(froms, int16(h.From)), append(tos, int16(h.To))
		rules, authors, factIDs, ats = append(rules, h.Rule), append(authors, h.Author), append(factIDs, string(f)), append(ats, h.At)
		prevs, hashes = append(prevs, h.PrevHash), append(hashes, h.Hash)
		byKey[historyKey{h.PersonID, h.Seq}] = h
	}
	rows, err := t.tx.Query(ctx, `INSERT INTO status_history (person_id, seq, from_color, to_color, rule, fact_ids,
		author, at, prev_hash, hash)
		SELECT u.person_id, u.seq, u.from_color, u.to_color, u.rule, u.fact_ids::jsonb, u.author, u.at,
			u.prev_hash, u.hash
		FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::smallint[], $5::text[], $6::text[], $7::text[],
			$8::timestamptz[], $9::bytea[], $10::bytea[])
			AS u (person_id, seq, from_color, to_color, rule, fact_ids, author, at, prev_hash, hash)
		RETURNING id, person_id, seq`,
		persons, seqs, froms, tos, rules, factIDs, authors, ats, prevs, hashes)
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
}
