package sqlite

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"healthcode"
)

// The store side of data feeds: idempotent batches of facts, facts kept
// for people who have not applied yet, and identities looked up in bulk.

// onConflictRef skips a row whose (source, source_ref) is already stored;
// the WHERE names the partial unique index it relies on.
const onConflictRef = ` ON CONFLICT (source, source_ref) WHERE source_ref <> '' DO NOTHING`

// personsByIdentityQuery looks each hash up in the unique index on
// id_hash (TestFeedQueriesUseIndexes); the hashes come as a JSON array of
// hex.
const personsByIdentityQuery = `SELECT ` + personColumns + personFrom +
	`WHERE p.id_hash IN (SELECT unhex(value) FROM json_each(?)) ORDER BY p.id`

// LockByIdentity needs no lock of its own, as LockPerson: the transaction
// holds the database's one writer.
func (t *tx) LockByIdentity(ctx context.Context, idHashes [][]byte) ([]*healthcode.Person, error) {
	if len(idHashes) == 0 {
		return nil, nil
	}
	hexes := make([]string, len(idHashes))
	for i, h := range idHashes {
		hexes[i] = hex.EncodeToString(h)
	}
	list, err := json.Marshal(hexes)
	if err != nil {
		return nil, fmt.Errorf("lock by identity: %w", err)
	}
	rows, err := t.query(ctx, personsByIdentityQuery, string(list))
	if err != nil {
		return nil, fmt.Errorf("lock by identity: %w", err)
	}
	ps, err := scanPersons(rows)
	if err != nil {
		return nil, fmt.Errorf("lock by identity: %w", err)
	}
	return ps, nil
}

// bodies encodes every fact's payload before anything is written.
func bodies(facts []*healthcode.Fact) ([]string, error) {
	out := make([]string, len(facts))
	for i, f := range facts {
		b, err := f.MarshalBody()
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

const factInsertColumns = 9

// AddFacts gives the rows their ids itself, from the largest in use: the
// transaction holds the only write lock, so nobody else takes them, and
// RETURNING id then says exactly which rows went in, whatever order
// SQLite returns them in (it promises none).
func (t *tx) AddFacts(ctx context.Context, facts []*healthcode.Fact) ([]*healthcode.Fact, error) {
	keep := healthcode.FirstOfEachRef(facts)
	bs, err := bodies(facts)
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", err)
	}
	var added []*healthcode.Fact
	err = chunks(len(keep), factInsertColumns, func(lo, hi int) error {
		var base int64
		if err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM facts`).Scan(&base); err != nil {
			return err
		}
		args := make([]any, 0, (hi-lo)*factInsertColumns)
		for n, i := range keep[lo:hi] {
			f := facts[i]
			args = append(args, base+1+int64(n), f.PersonID, f.Kind, micro(f.At), micro(f.RecordedAt), f.Source,
				f.SourceRef, f.Author, bs[i])
		}
		rows, err := t.tx.QueryContext(ctx, `INSERT INTO facts (id, person_id, kind, at, recorded_at, source,
			source_ref, author, body) VALUES `+values(hi-lo, factInsertColumns)+onConflictRef+` RETURNING id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		in := make(map[int64]bool, hi-lo)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			in[id] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for n, i := range keep[lo:hi] {
			if id := base + 1 + int64(n); in[id] {
				facts[i].ID = id
				added = append(added, facts[i])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", translate(err))
	}
	return added, nil
}

const pendingColumns = 9

// addPendingQuery keeps rows pending unless their record is pending or
// already among the facts: the NOT EXISTS makes on facts_source_ref the
// test TakePendingFacts's conflict clause makes, and its test of a
// non-empty f.source_ref lets SQLite use that partial index
// (TestFeedQueriesUseIndexes).
func addPendingQuery(rows int) string {
	return `WITH v (id_hash, kind, at, recorded_at, source, source_ref, author, body, region_prefix)
		AS (VALUES ` + values(rows, pendingColumns) + `)
		INSERT INTO pending_facts (id_hash, kind, at, recorded_at, source, source_ref, author, body, region_prefix)
		SELECT id_hash, kind, at, recorded_at, source, source_ref, author, body, region_prefix FROM v
		WHERE v.source_ref = '' OR NOT EXISTS (SELECT 1 FROM facts f
			WHERE f.source = v.source AND f.source_ref = v.source_ref AND f.source_ref <> '')` + onConflictRef
}

func (t *tx) AddPendingFacts(ctx context.Context, idHashes [][]byte, facts []*healthcode.Fact, within string) (int, error) {
	if len(idHashes) != len(facts) {
		return 0, fmt.Errorf("add pending facts: %d identities for %d facts", len(idHashes), len(facts))
	}
	keep := healthcode.FirstOfEachRef(facts)
	bs, err := bodies(facts)
	if err != nil {
		return 0, fmt.Errorf("add pending facts: %w", err)
	}
	added := 0
	err = chunks(len(keep), pendingColumns, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*pendingColumns)
		for _, i := range keep[lo:hi] {
			f := facts[i]
			args = append(args, idHashes[i], f.Kind, micro(f.At), micro(f.RecordedAt), f.Source, f.SourceRef, f.Author, bs[i], within)
		}
		res, err := t.tx.ExecContext(ctx, addPendingQuery(hi-lo), args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added += int(n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add pending facts: %w", translate(err))
	}
	return added, nil
}

// TakePendingFacts copies then deletes: SQLite has no DELETE … RETURNING
// inside a WITH. The transaction holds the only write lock, so nothing
// can come between the two. Rows kept for a region the person is not
// in stay pending.
func (t *tx) TakePendingFacts(ctx context.Context, idHash []byte, personID int64) ([]*healthcode.Fact, error) {
	rows, err := t.tx.QueryContext(ctx, `INSERT INTO facts (person_id, kind, at, recorded_at, source, source_ref,
		author, body) SELECT ?, kind, at, recorded_at, source, source_ref, author, body FROM pending_facts
		WHERE id_hash = ? AND substr((SELECT region FROM persons WHERE id = ?), 1, length(region_prefix)) = region_prefix
		ORDER BY at, id`+onConflictRef+` RETURNING `+factColumns, personID, idHash, personID)
	if err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(err))
	}
	var taken []*healthcode.Fact
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("take pending facts: %w", err)
		}
		taken = append(taken, &f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(err))
	}
	if _, err := t.exec(ctx, "take pending facts", `DELETE FROM pending_facts WHERE id_hash = ?
		AND substr((SELECT region FROM persons WHERE id = ?), 1, length(region_prefix)) = region_prefix`, idHash, personID); err != nil {
		return nil, err
	}
	sortFacts(taken)
	return taken, nil
}

// sortFacts puts facts in the order Facts reads them: by time, then id.
func sortFacts(fs []*healthcode.Fact) {
	slices.SortFunc(fs, func(a, b *healthcode.Fact) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
