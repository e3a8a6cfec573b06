package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
)

// The store side of data feeds: idempotent batches of facts, facts kept
// for people who have not applied yet, and identities looked up in bulk.

// onConflictRef skips a row whose (source, source_ref) is already stored;
// the WHERE names the partial unique index it relies on.
const onConflictRef = ` ON CONFLICT (source, source_ref) WHERE source_ref <> '' DO NOTHING`

// The identity lock looks each hash up in the unique index on id_hash
// (TestFeedQueriesUseIndexes) and locks in id order, as LockPersons.
const (
	lockByIdentityQuery    = `SELECT id FROM persons WHERE id_hash = ANY($1::bytea[]) ORDER BY id FOR UPDATE`
	personsByIdentityQuery = `SELECT ` + personColumns + personFrom + `WHERE p.id_hash = ANY($1::bytea[]) ORDER BY p.id`
)

// LockByIdentity works as lockPersons does, for hashes: the reading
// statement, with a snapshot of its own, may also find a person who took
// one of the hashes after the lock was taken, and only the locked are kept.
func (t *tx) LockByIdentity(ctx context.Context, idHashes [][]byte) ([]*healthcode.Person, error) {
	if len(idHashes) == 0 {
		return nil, nil
	}
	ps, err := t.lockPersons(ctx, lockByIdentityQuery, personsByIdentityQuery, idHashes)
	if err != nil {
		return nil, fmt.Errorf("by identity: %w", err)
	}
	return ps, nil
}

// factArrays holds a batch of facts as one array a column, for unnest.
type factArrays struct {
	kinds, sources, refs, authors, bodies []string
	ats, recorded                         []time.Time
}

// columns encodes the facts at the indexes keep, every payload before
// anything is written.
func columns(facts []*healthcode.Fact, keep []int) (*factArrays, error) {
	n := len(keep)
	a := &factArrays{
		kinds: make([]string, 0, n), sources: make([]string, 0, n), refs: make([]string, 0, n),
		authors: make([]string, 0, n), bodies: make([]string, 0, n),
		ats: make([]time.Time, 0, n), recorded: make([]time.Time, 0, n),
	}
	for _, i := range keep {
		f := facts[i]
		b, err := f.MarshalBody()
		if err != nil {
			return nil, err
		}
		a.kinds, a.sources, a.refs = append(a.kinds, string(f.Kind)), append(a.sources, f.Source), append(a.refs, f.SourceRef)
		a.authors, a.bodies = append(a.authors, f.Author), append(a.bodies, string(b))
		a.ats, a.recorded = append(a.ats, f.At), append(a.recorded, f.RecordedAt)
	}
	return a, nil
}

// addFactsQuery inserts a batch in one statement. RETURNING gives rows
// back in no promised order and cannot name the input row, so the ids are
// drawn from the identity's sequence in the first CTE, where each row's
// ordinal is known, and the statement answers (ordinal, id) for the rows
// the conflict clause let in. The ids of skipped rows are gaps, as after a
// rollback.
const addFactsQuery = `WITH u AS (
	SELECT nextval('facts_id_seq') AS id, u.*
	FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
		$7::text[], $8::text[]) WITH ORDINALITY
		AS u (person_id, kind, at, recorded_at, source, source_ref, author, body, ord)
), added AS (
	INSERT INTO facts (id, person_id, kind, at, recorded_at, source, source_ref, author, body)
	OVERRIDING SYSTEM VALUE
	SELECT id, person_id, kind, at, recorded_at, source, source_ref, author, body::jsonb FROM u ORDER BY ord
	` + onConflictRef + `
	RETURNING id
)
SELECT u.ord, u.id FROM u JOIN added USING (id)`

func (t *tx) AddFacts(ctx context.Context, facts []*healthcode.Fact) ([]*healthcode.Fact, error) {
	keep := healthcode.FirstOfEachRef(facts)
	if len(keep) == 0 {
		return nil, nil
	}
	a, err := columns(facts, keep)
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", err)
	}
	persons := make([]int64, len(keep))
	for n, i := range keep {
		persons[n] = facts[i].PersonID
	}
	rows, err := t.tx.Query(ctx, addFactsQuery, persons, a.kinds, a.ats, a.recorded, a.sources, a.refs, a.authors, a.bodies)
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", translate(err))
	}
	ids := make(map[int]int64, len(keep)) // position in keep → id
	var ord, id int64
	_, err = pgx.ForEachRow(rows, []any{&ord, &id}, func() error {
		ids[int(ord)-1] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add facts: %w", translate(err))
	}
	added := make([]*healthcode.Fact, 0, len(ids))
	for n, i := range keep {
		if id, ok := ids[n]; ok {
			facts[i].ID = id
			added = append(added, facts[i])
		}
	}
	return added, nil
}

// addPendingQuery keeps rows pending unless their record is pending or
// already among the facts: the NOT EXISTS makes on facts_source_ref the
// test TakePendingFacts's conflict clause makes (TestFeedQueriesUseIndexes).
const addPendingQuery = `INSERT INTO pending_facts (id_hash, kind, at, recorded_at, source, source_ref, author, body,
		region_prefix)
	SELECT u.id_hash, u.kind, u.at, u.recorded_at, u.source, u.source_ref, u.author, u.body::jsonb, $9
	FROM unnest($1::bytea[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
		$7::text[], $8::text[]) AS u (id_hash, kind, at, recorded_at, source, source_ref, author, body)
	WHERE u.source_ref = '' OR NOT EXISTS (SELECT FROM facts f
		WHERE f.source = u.source AND f.source_ref = u.source_ref AND f.source_ref <> '')` + onConflictRef

// AddPendingFacts: under READ COMMITTED, a take of the same record
// committing meanwhile may be missed, leaving a pending row for a fact
// already stored; taking it later adds nothing, for the take's conflict
// clause, so facts never hold a record twice.
func (t *tx) AddPendingFacts(ctx context.Context, idHashes [][]byte, facts []*healthcode.Fact, within string) (int, error) {
	if len(idHashes) != len(facts) {
		return 0, fmt.Errorf("add pending facts: %d identities for %d facts", len(idHashes), len(facts))
	}
	keep := healthcode.FirstOfEachRef(facts)
	if len(keep) == 0 {
		return 0, nil
	}
	a, err := columns(facts, keep)
	if err != nil {
		return 0, fmt.Errorf("add pending facts: %w", err)
	}
	hashes := make([][]byte, len(keep))
	for n, i := range keep {
		hashes[n] = idHashes[i]
	}
	tag, err := t.exec(ctx, "add pending facts", addPendingQuery, hashes, a.kinds, a.ats, a.recorded, a.sources, a.refs, a.authors, a.bodies,
		within)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// TakePendingFacts deletes and inserts in one statement. A concurrent take
// of the same identity waits on the rows this one deletes, then finds
// them gone and takes nothing.
// Rows kept for a region the person is not in stay pending.
func (t *tx) TakePendingFacts(ctx context.Context, idHash []byte, personID int64) ([]*healthcode.Fact, error) {
	rows, err := t.tx.Query(ctx, `WITH taken AS (
			DELETE FROM pending_facts
			WHERE id_hash = $1 AND starts_with((SELECT region FROM persons WHERE id = $2), region_prefix)
			RETURNING id, kind, at, recorded_at, source, source_ref, author, body, region_prefix
		)
		INSERT INTO facts (person_id, kind, at, recorded_at, source, source_ref, author, body)
		SELECT $2::bigint, kind, at, recorded_at, source, source_ref, author, body FROM taken ORDER BY at, id
		`+onConflictRef+`
		RETURNING `+factColumns, idHash, personID)
	if err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(err))
	}
	defer rows.Close()
	var taken []*healthcode.Fact
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			return nil, fmt.Errorf("take pending facts: %w", err)
		}
		taken = append(taken, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take pending facts: %w", translate(err))
	}
	slices.SortFunc(taken, func(a, b *healthcode.Fact) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return taken, nil
}
