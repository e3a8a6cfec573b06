package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"healthcode"
)

// Facts, and the store side of data feeds: idempotent batches of facts,
// facts kept for people who have not applied yet, facts set aside.

const factColumns = `person_id, id, kind, at, recorded_at, source, source_ref, author, body`

// factCols are the columns a fact is inserted with, its id aside.
var factCols = []column{{"person_id", "bigint"}, {"kind", "text"}, {"at", "timestamptz"},
	{"recorded_at", "timestamptz"}, {"source", "text"}, {"source_ref", "text"}, {"author", "text"},
	{"body", "jsonb"}}

// onConflictRef skips a row whose (source, source_ref) is already stored;
// the WHERE names the partial unique index it relies on.
const onConflictRef = ` ON CONFLICT (source, source_ref) WHERE source_ref <> '' DO NOTHING`

func (r reader) Facts(ctx context.Context, personID int64) ([]healthcode.Fact, error) {
	rows, err := r.query(ctx, `SELECT `+factColumns+` FROM facts WHERE person_id = $1 ORDER BY at, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	fs, err := collect(r.d, rows, scanFact)
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	return fs, nil
}

// factsOfQuery looks each id up in facts_person, which also gives their
// order (TestBatchReadsUseIndexes).
func factsOfQuery(d *dialect) string {
	return `SELECT ` + factColumns + ` FROM facts WHERE ` + in(d, "person_id", "$1") + ` ORDER BY person_id, at, id`
}

var factsOf = map[*dialect]string{sqliteDialect: factsOfQuery(sqliteDialect), postgresDialect: factsOfQuery(postgresDialect)}

func (r reader) FactsOf(ctx context.Context, ids []int64) (map[int64][]healthcode.Fact, error) {
	out := make(map[int64][]healthcode.Fact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.query(ctx, factsOf[r.d], r.d.arg(ids))
	if err != nil {
		return nil, fmt.Errorf("facts of persons: %w", err)
	}
	err = each(r.d, rows, func(row scanner) error {
		f, err := scanFact(row)
		out[f.PersonID] = append(out[f.PersonID], f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("facts of persons: %w", err)
	}
	return out, nil
}

// scanFact reads one row of factColumns.
func scanFact(row scanner) (healthcode.Fact, error) {
	var f healthcode.Fact
	var body []byte
	err := row.Scan(&f.PersonID, &f.ID, &f.Kind, timeCol{&f.At}, timeCol{&f.RecordedAt}, &f.Source, &f.SourceRef,
		&f.Author, &body)
	if err != nil {
		return f, err
	}
	return f, f.UnmarshalBody(body)
}

// factValues appends a fact's factCols values.
func (r reader) factValues(vals []any, f *healthcode.Fact, body string) []any {
	return append(vals, f.PersonID, string(f.Kind), r.at(f.At), r.at(f.RecordedAt), f.Source, f.SourceRef,
		f.Author, body)
}

func (t *tx) AddFact(ctx context.Context, f *healthcode.Fact) (err error) {
	body, err := f.MarshalBody()
	if err != nil {
		return err
	}
	cols, vals := `person_id, kind, at, recorded_at, source, source_ref, author, body`, `$1, $2, $3, $4, $5, $6, $7, $8`
	if t.d.factBase != "" {
		cols, vals = "id, "+cols, "("+t.d.factBase+") + 1, "+vals
	}
	f.ID, err = t.insert(ctx, "add fact", `INSERT INTO facts (`+cols+`) VALUES (`+vals+`) RETURNING id`,
		t.factValues(nil, f, string(body))...)
	return err
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

func (t *tx) AddFacts(ctx context.Context, facts []*healthcode.Fact) ([]*healthcode.Fact, error) {
	keep := healthcode.FirstOfEachRef(facts)
	if len(keep) == 0 {
		return nil, nil
	}
	bs, err := bodies(facts)
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", err)
	}
	vals := make([]any, 0, len(keep)*len(factCols))
	for _, i := range keep {
		vals = t.factValues(vals, facts[i], bs[i])
	}
	ids, err := t.d.addFacts(ctx, t, vals)
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", translate(t.d, err))
	}
	var added []*healthcode.Fact
	for n, i := range keep {
		if ids[n] != 0 {
			facts[i].ID = ids[n]
			added = append(added, facts[i])
		}
	}
	return added, nil
}

var pendingCols = []column{{"id_hash", "bytea"}, {"kind", "text"}, {"at", "timestamptz"},
	{"recorded_at", "timestamptz"}, {"source", "text"}, {"source_ref", "text"}, {"author", "text"},
	{"body", "jsonb"}, {"region_prefix", "text"}}

// addPendingQuery keeps rows pending unless their record is pending or
// already among the facts: the NOT EXISTS makes on facts_source_ref the
// test TakePendingFacts's conflict clause makes, and its test of a
// non-empty f.source_ref lets SQLite use that partial index
// (TestFeedQueriesUseIndexes). The WHERE also settles SQLite's parsing of
// an upsert after INSERT … SELECT.
func addPendingQuery(rows string) string {
	return `WITH u (` + names(pendingCols) + `) AS (` + rows + `)
		INSERT INTO pending_facts (` + names(pendingCols) + `)
		SELECT ` + names(pendingCols) + ` FROM u
		WHERE u.source_ref = '' OR NOT EXISTS (SELECT 1 FROM facts f
			WHERE f.source = u.source AND f.source_ref = u.source_ref AND f.source_ref <> '')` + onConflictRef
}

// AddPendingFacts: under PostgreSQL's READ COMMITTED, a take of the same
// record committing meanwhile may be missed, leaving a pending row for a
// fact already stored; taking it later adds nothing, for the take's
// conflict clause, so facts never hold a record twice.
func (t *tx) AddPendingFacts(ctx context.Context, idHashes [][]byte, facts []*healthcode.Fact, within string) (int, error) {
	if len(idHashes) != len(facts) {
		return 0, fmt.Errorf("add pending facts: %d identities for %d facts", len(idHashes), len(facts))
	}
	keep := healthcode.FirstOfEachRef(facts)
	bs, err := bodies(facts)
	if err != nil {
		return 0, fmt.Errorf("add pending facts: %w", err)
	}
	vals := make([]any, 0, len(keep)*len(pendingCols))
	for _, i := range keep {
		f := facts[i]
		vals = append(vals, idHashes[i], string(f.Kind), t.at(f.At), t.at(f.RecordedAt), f.Source, f.SourceRef,
			f.Author, bs[i], within)
	}
	n, err := t.bulk(ctx, pendingCols, vals, addPendingQuery, nil)
	if err != nil {
		return 0, fmt.Errorf("add pending facts: %w", translate(t.d, err))
	}
	return int(n), nil
}

// takenCols are the columns of a pending fact taken, in the order taken.
var takenCols = append([]column{{"ord", "bigint"}}, factCols...)

// TakePendingFacts deletes the rows, then inserts what the deletion
// returned. A concurrent take of the same identity waits on the rows this
// one deletes, then finds them gone and takes nothing (on SQLite the
// transaction holds the only write lock). Rows kept for a region the
// person is not in stay pending.
func (t *tx) TakePendingFacts(ctx context.Context, idHash []byte, personID int64) ([]*healthcode.Fact, error) {
	rows, err := t.q.query(ctx, `DELETE FROM pending_facts
		WHERE id_hash = $1 AND substr((SELECT region FROM persons WHERE id = $2), 1, length(region_prefix)) = region_prefix
		RETURNING id, kind, at, recorded_at, source, source_ref, author, body`, idHash, personID)
	if err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(t.d, err))
	}
	type pending struct {
		id   int64
		f    healthcode.Fact
		body []byte
	}
	ps, err := collect(t.d, rows, func(r scanner) (pending, error) {
		p := pending{f: healthcode.Fact{PersonID: personID}}
		err := r.Scan(&p.id, &p.f.Kind, timeCol{&p.f.At}, timeCol{&p.f.RecordedAt}, &p.f.Source, &p.f.SourceRef,
			&p.f.Author, &p.body)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(t.d, err))
	}
	// The facts get their ids in the order they happened.
	slices.SortFunc(ps, func(a, b pending) int { return cmp.Or(a.f.At.Compare(b.f.At), cmp.Compare(a.id, b.id)) })
	vals := make([]any, 0, len(ps)*len(takenCols))
	for i, p := range ps {
		vals = t.factValues(append(vals, int64(i)), &p.f, string(p.body))
	}
	var taken []*healthcode.Fact
	_, err = t.bulk(ctx, takenCols, vals, func(rows string) string {
		into, from := names(factCols), names(factCols)
		if t.d.factBase != "" { // ids after the largest ever given, in ord's order
			into, from = "id, "+into, "("+t.d.factBase+") + 1 + ord, "+from
		}
		return `WITH u (` + names(takenCols) + `) AS (` + rows + `)
			INSERT INTO facts (` + into + `) SELECT ` + from + ` FROM u WHERE true ORDER BY ord` +
			onConflictRef + ` RETURNING ` + factColumns
	}, func(r scanner) error {
		f, err := scanFact(r)
		taken = append(taken, &f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(t.d, err))
	}
	sortFacts(taken)
	return taken, nil
}

// sortFacts puts facts in the order Facts reads them: by time, then id.
func sortFacts(fs []*healthcode.Fact) {
	slices.SortFunc(fs, func(a, b *healthcode.Fact) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
}

var voidedCols = []column{{"id", "bigint"}, {"person_id", "bigint"}, {"kind", "text"}, {"at", "timestamptz"},
	{"recorded_at", "timestamptz"}, {"source", "text"}, {"source_ref", "text"}, {"author", "text"},
	{"body", "jsonb"}, {"voided_at", "timestamptz"}, {"reason", "text"}}

// VoidFacts deletes the facts, then keeps what the deletion returned
// among the voided facts, so exactly the facts deleted are kept.
func (t *tx) VoidFacts(ctx context.Context, personID int64, source, author, reason string, at time.Time) (int, error) {
	rows, err := t.q.query(ctx, `DELETE FROM facts WHERE person_id = $1 AND source = $2 AND author = $3
		RETURNING `+factColumns, personID, source, author)
	if err != nil {
		return 0, fmt.Errorf("void facts: %w", translate(t.d, err))
	}
	var vals []any
	err = each(t.d, rows, func(r scanner) error {
		var f healthcode.Fact
		var body []byte
		err := r.Scan(&f.PersonID, &f.ID, &f.Kind, timeCol{&f.At}, timeCol{&f.RecordedAt}, &f.Source, &f.SourceRef,
			&f.Author, &body)
		vals = append(t.factValues(append(vals, f.ID), &f, string(body)), t.at(at), reason)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("void facts: %w", translate(t.d, err))
	}
	n, err := t.bulk(ctx, voidedCols, vals, func(rows string) string {
		return `INSERT INTO voided_facts (` + names(voidedCols) + `) ` + rows
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("void facts: %w", translate(t.d, err))
	}
	return int(n), nil
}
