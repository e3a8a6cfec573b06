package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"healthcode"
	"healthcode/internal/pager"
)

// Persons, their statuses and their history.

const personColumns = `p.id, p.owner_id, p.relation, p.doc_type, p.id_hash, p.id_sealed, p.name_sealed,
	p.name_masked, p.id_tail, p.phone_hash, p.phone_sealed, p.region, p.community, p.code_id, p.created_at,
	p.updated_at, p.reapplied, p.modified, p.modified_on, p.modified_that_day,
	s.color, s.since, s.policy, s.rule, s.fact_ids, s.reason, s.next, s.detail, s.next_eval_at, s.evaluated_at,
	s.head_seq, s.head_hash`

const personFrom = ` FROM persons p LEFT JOIN statuses s ON s.person_id = p.id `

const (
	personQuery     = `SELECT ` + personColumns + personFrom + `WHERE p.id = $1`
	personPageQuery = `SELECT ` + personColumns + personFrom + `WHERE p.id > $1 ORDER BY p.id LIMIT $2`
)

func (r reader) Person(ctx context.Context, id int64) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person", personQuery, id)
}

func (r reader) PersonByIdentity(ctx context.Context, idHash []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by identity", `SELECT `+personColumns+personFrom+`WHERE p.id_hash = $1`, idHash)
}

func (r reader) PersonByCode(ctx context.Context, codeID []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by code", `SELECT `+personColumns+personFrom+`WHERE p.code_id = $1`, codeID)
}

func (r reader) PersonsByOwner(ctx context.Context, accountID int64) ([]*healthcode.Person, error) {
	return r.persons(ctx, "persons by owner", `SELECT `+personColumns+personFrom+
		`WHERE p.owner_id = $1 ORDER BY p.relation <> 'self', p.id`, accountID)
}

func (r reader) persons(ctx context.Context, what, query string, args ...any) ([]*healthcode.Person, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ps, err := scanPersons(r.d, rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ps, nil
}

func (r reader) onePerson(ctx context.Context, what, query string, arg any) (*healthcode.Person, error) {
	p, err := scanPerson(r.queryRow(ctx, query, arg))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(r.d, err))
	}
	return p, nil
}

// scanPersons reads every row of a person query and closes it.
func scanPersons(d *dialect, rows rows) ([]*healthcode.Person, error) {
	return collect(d, rows, scanPerson)
}

func scanPerson(row scanner) (*healthcode.Person, error) {
	var p healthcode.Person
	// The status columns are NULL when the person was never evaluated.
	var color, headSeq sql.NullInt64
	var since, nextEval, evaluated time.Time
	var policy, rule sql.NullString
	var factIDs, reason, next, detail, head []byte
	err := row.Scan(&p.ID, &p.OwnerID, &p.Relation, &p.DocType, &p.IDHash, &p.IDSealed, &p.NameSealed,
		&p.NameMasked, &p.IDTail, &p.PhoneHash, &p.PhoneSealed, &p.Region, &p.Community, &p.CodeID, timeCol{&p.CreatedAt},
		timeCol{&p.UpdatedAt}, &p.Reapplied, &p.Modified, &p.ModifiedOn, &p.ModifiedThatDay,
		&color, timeCol{&since}, &policy, &rule, &factIDs, &reason, &next, &detail, timeCol{&nextEval},
		timeCol{&evaluated}, &headSeq, &head)
	if err != nil {
		return nil, err
	}
	if !color.Valid {
		return &p, nil
	}
	s := &healthcode.Status{
		Color: healthcode.Color(color.Int64), Since: since, Policy: policy.String, Rule: rule.String,
		NextEvalAt: nextEval, EvaluatedAt: evaluated, HeadSeq: headSeq.Int64, HeadHash: head,
	}
	err = errors.Join(json.Unmarshal(factIDs, &s.FactIDs), json.Unmarshal(reason, &s.Reason),
		json.Unmarshal(next, &s.Next), s.UnmarshalDetail(detail))
	if err != nil {
		return nil, fmt.Errorf("status of person %d: %w", p.ID, err)
	}
	p.Status = s
	return &p, nil
}

func (t *tx) CreatePerson(ctx context.Context, p *healthcode.Person) (err error) {
	p.ID, err = t.insert(ctx, "create person", `INSERT INTO persons (owner_id, relation, doc_type, id_hash, id_sealed,
		name_sealed, name_masked, id_tail, phone_hash, phone_sealed, region, code_id, created_at, updated_at,
		reapplied, modified, modified_on, modified_that_day, community)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		p.OwnerID, string(p.Relation), string(p.DocType), p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail,
		p.PhoneHash, p.PhoneSealed, p.Region, p.CodeID, t.at(p.CreatedAt), t.at(p.UpdatedAt),
		p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay, p.Community)
	return err
}

func (t *tx) UpdatePerson(ctx context.Context, p *healthcode.Person) error {
	n, err := t.exec(ctx, "update person", `UPDATE persons SET relation = $1, doc_type = $2, id_hash = $3,
		id_sealed = $4, name_sealed = $5, name_masked = $6, id_tail = $7, phone_hash = $8, phone_sealed = $9,
		region = $10, code_id = $11, updated_at = $12, reapplied = $13, modified = $14, modified_on = $15,
		modified_that_day = $16, owner_id = $18, community = $19 WHERE id = $17`,
		string(p.Relation), string(p.DocType), p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail,
		p.PhoneHash, p.PhoneSealed, p.Region, p.CodeID, t.at(p.UpdatedAt), p.Reapplied, p.Modified, p.ModifiedOn,
		p.ModifiedThatDay, p.ID, p.OwnerID, p.Community)
	if err != nil {
		return err
	}
	if n == 0 {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", p.ID)
	}
	return nil
}

// The locks. On PostgreSQL each locks the rows FOR UPDATE in a first
// statement, then reads the persons in a second (dialect.lock sends both
// in one batch). One statement doing both would be wrong: after waiting
// for the lock, PostgreSQL rechecks only the locked persons row, and the
// joined statuses row stays as it was when the statement began, before
// the previous holder committed its new status. Under READ COMMITTED the
// second statement sees that commit. Locks are taken in id order, so
// lockers of overlapping sets cannot deadlock. The batch reads look each
// id up in the primary key or facts_person, which also gives facts their
// order (TestBatchReadsUseIndexes). On SQLite only the reading statement
// runs: the write transaction began IMMEDIATE and holds the database's
// only write lock until it ends, so no person is ever left out for being
// held elsewhere.
type lockQueries struct {
	person, skipLocked, all, identity string // the locking statements
	persons, byIdentity               string // the reading ones
}

func newLockQueries(d *dialect) lockQueries {
	return lockQueries{
		person:     `SELECT id FROM persons WHERE id = $1` + d.forUpdate,
		skipLocked: `SELECT id FROM persons WHERE ` + in(d, "id", "$1") + ` ORDER BY id` + d.skipLocked,
		all:        `SELECT id FROM persons WHERE ` + in(d, "id", "$1") + ` ORDER BY id` + d.forUpdate,
		persons:    `SELECT ` + personColumns + personFrom + `WHERE ` + in(d, "p.id", "$1") + ` ORDER BY p.id`,
		// The identity lock looks each hash up in the unique index on
		// id_hash (TestFeedQueriesUseIndexes).
		identity:   `SELECT id FROM persons WHERE ` + fmt.Sprintf(d.inBlobs, "id_hash", "$1") + ` ORDER BY id` + d.forUpdate,
		byIdentity: `SELECT ` + personColumns + personFrom + `WHERE ` + fmt.Sprintf(d.inBlobs, "p.id_hash", "$1") + ` ORDER BY p.id`,
	}
}

var locks = map[*dialect]lockQueries{sqliteDialect: newLockQueries(sqliteDialect), postgresDialect: newLockQueries(postgresDialect)}

func (t *tx) LockPerson(ctx context.Context, id int64) (*healthcode.Person, error) {
	ps, err := t.d.lock(ctx, t, locks[t.d].person, personQuery, id)
	if err != nil {
		return nil, fmt.Errorf("lock person: %w", translate(t.d, err))
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("lock person: %w", translate(t.d, sql.ErrNoRows))
	}
	return ps[0], nil
}

// LockPersons skips the persons another transaction holds (SKIP LOCKED).
func (t *tx) LockPersons(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	return t.lockPersons(ctx, locks[t.d].skipLocked, ids)
}

// LockAll is LockPersons waiting for the persons held elsewhere.
func (t *tx) LockAll(ctx context.Context, ids []int64) ([]*healthcode.Person, error) {
	return t.lockPersons(ctx, locks[t.d].all, ids)
}

func (t *tx) lockPersons(ctx context.Context, lockQuery string, ids []int64) ([]*healthcode.Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ps, err := t.d.lock(ctx, t, lockQuery, locks[t.d].persons, t.d.arg(ids))
	if err != nil {
		return nil, fmt.Errorf("lock persons: %w", err)
	}
	return ps, nil
}

// LockByIdentity locks as LockAll does, by hashes: the reading statement,
// with a snapshot of its own, may also find a person who took one of the
// hashes after the lock was taken, and only the locked are kept.
func (t *tx) LockByIdentity(ctx context.Context, idHashes [][]byte) ([]*healthcode.Person, error) {
	if len(idHashes) == 0 {
		return nil, nil
	}
	ps, err := t.d.lock(ctx, t, locks[t.d].identity, locks[t.d].byIdentity, t.d.arg(idHashes))
	if err != nil {
		return nil, fmt.Errorf("lock by identity: %w", err)
	}
	return ps, nil
}

// EachPerson implements healthcode.Store: keyset pages on the read pool,
// so a walk over everyone never holds the write lock or a long
// transaction.
func (db *DB) EachPerson(ctx context.Context, page int, fn func(*healthcode.Person, []healthcode.Fact) error) error {
	return pager.Walk(ctx, page, db.personPage, db.FactsOf, fn)
}

func (db *DB) personPage(ctx context.Context, after int64, n int) ([]*healthcode.Person, error) {
	return db.persons(ctx, fmt.Sprintf("persons after %d", after), personPageQuery, after, n)
}

// dueQuery reads only the partial index statuses_due, in its order, and
// stops at the limit: the explicit IS NOT NULL (implied by <=) matches the
// index's WHERE clause and ORDER BY is the index's order. SQLite's plan is
// "SEARCH statuses USING COVERING INDEX statuses_due (next_eval_at>? AND
// next_eval_at<?)", with no sort; PostgreSQL's "Index Scan using
// statuses_due" under the Limit, for custom and generic plans alike
// (TestDuePersonsUsesIndex).
const dueQuery = `SELECT person_id FROM statuses
	WHERE next_eval_at IS NOT NULL AND next_eval_at <= $1 ORDER BY next_eval_at LIMIT $2`

// DuePersons implements healthcode.Store.
func (db *DB) DuePersons(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	rows, err := db.query(ctx, dueQuery, db.at(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	ids, err := collect(db.d, rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("due persons: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// PutStatus is PutStatuses for one person, so both write one way.
func (t *tx) PutStatus(ctx context.Context, personID int64, s *healthcode.Status) error {
	return t.PutStatuses(ctx, map[int64]*healthcode.Status{personID: s})
}

var statusCols = []column{{"person_id", "bigint"}, {"color", "smallint"}, {"since", "timestamptz"},
	{"policy", "text"}, {"rule", "text"}, {"fact_ids", "jsonb"}, {"reason", "jsonb"}, {"next", "jsonb"},
	{"detail", "jsonb"}, {"next_eval_at", "timestamptz"}, {"evaluated_at", "timestamptz"},
	{"head_seq", "bigint"}, {"head_hash", "bytea"}}

func (t *tx) PutStatuses(ctx context.Context, statuses map[int64]*healthcode.Status) error {
	// In id order, so the same batch always writes the same way, in the
	// order locks are taken in.
	ids := slices.Sorted(maps.Keys(statuses))
	vals := make([]any, 0, len(ids)*len(statusCols))
	for _, id := range ids {
		s := statuses[id]
		factIDs, reason, next, detail, err := statusJSON(s)
		if err != nil {
			return err
		}
		vals = append(vals, id, int64(s.Color), t.at(s.Since), s.Policy, s.Rule, factIDs, reason, next, detail,
			t.null(s.NextEvalAt), t.at(s.EvaluatedAt), s.HeadSeq, s.HeadHash)
	}
	_, err := t.bulk(ctx, statusCols, vals, func(rows string) string {
		return `INSERT INTO statuses (` + names(statusCols) + `) ` + rows + `
			ON CONFLICT (person_id) DO UPDATE SET color = excluded.color, since = excluded.since,
			policy = excluded.policy, rule = excluded.rule, fact_ids = excluded.fact_ids, reason = excluded.reason,
			next = excluded.next, detail = excluded.detail, next_eval_at = excluded.next_eval_at, evaluated_at = excluded.evaluated_at,
			head_seq = excluded.head_seq, head_hash = excluded.head_hash`
	}, nil)
	if err != nil {
		return fmt.Errorf("put statuses: %w", translate(t.d, err))
	}
	return nil
}

func statusJSON(s *healthcode.Status) (factIDs, reason, next, detail string, err error) {
	b1, err1 := json.Marshal(nonNil(s.FactIDs))
	b2, err2 := json.Marshal(s.Reason)
	b3, err3 := json.Marshal(s.Next)
	b4, err4 := s.MarshalDetail()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return "", "", "", "", fmt.Errorf("encode status: %w", err)
	}
	return string(b1), string(b2), string(b3), string(b4), nil
}

// nonNil stores no fact ids as [] rather than null, so they read back as
// an empty slice.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// AppendHistory is AppendHistories for one entry.
func (t *tx) AppendHistory(ctx context.Context, h *healthcode.HistoryEntry) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return t.AppendHistories(ctx, []*healthcode.HistoryEntry{h})
}

var historyCols = []column{{"person_id", "bigint"}, {"seq", "bigint"}, {"from_color", "smallint"},
	{"to_color", "smallint"}, {"rule", "text"}, {"fact_ids", "jsonb"}, {"author", "text"},
	{"at", "timestamptz"}, {"prev_hash", "bytea"}, {"hash", "bytea"}}

// historyKey finds an entry again among rows RETURNING gives back in no
// promised order.
type historyKey struct{ person, seq int64 }

func (t *tx) AppendHistories(ctx context.Context, entries []*healthcode.HistoryEntry) error {
	byKey := make(map[historyKey]*healthcode.HistoryEntry, len(entries))
	vals := make([]any, 0, len(entries)*len(historyCols))
	for _, h := range entries {
		if err := h.Validate(); err != nil {
			return err
		}
		factIDs, err := json.Marshal(nonNil(h.FactIDs))
		if err != nil {
			return fmt.Errorf("encode history: %w", err)
		}
		vals = append(vals, h.PersonID, h.Seq, int64(h.From), int64(h.To), h.Rule, string(factIDs), h.Author,
			t.at(h.At), h.PrevHash, h.Hash)
		byKey[historyKey{h.PersonID, h.Seq}] = h
	}
	_, err := t.bulk(ctx, historyCols, vals, func(rows string) string {
		return `INSERT INTO status_history (` + names(historyCols) + `) ` + rows + ` RETURNING id, person_id, seq`
	}, func(r scanner) error {
		var id int64
		var k historyKey
		if err := r.Scan(&id, &k.person, &k.seq); err != nil {
			return err
		}
		if h := byKey[k]; h != nil {
			h.ID = id
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append histories: %w", translate(t.d, err))
	}
	return nil
}

const historyColumns = `id, person_id, seq, from_color, to_color, rule, fact_ids, author, at, prev_hash, hash`

func (r reader) History(ctx context.Context, personID int64) ([]healthcode.HistoryEntry, error) {
	return r.histories(ctx, "history", `SELECT `+historyColumns+` FROM status_history WHERE person_id = $1 ORDER BY seq`, personID)
}

func (r reader) HistoryAfter(ctx context.Context, after int64, n int) ([]healthcode.HistoryEntry, error) {
	return r.histories(ctx, "history after", `SELECT `+historyColumns+` FROM status_history WHERE id > $1 ORDER BY id LIMIT $2`, after, n)
}

func (r reader) histories(ctx context.Context, what, query string, args ...any) ([]healthcode.HistoryEntry, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	hs, err := collect(r.d, rows, func(row scanner) (healthcode.HistoryEntry, error) {
		var h healthcode.HistoryEntry
		var factIDs []byte
		if err := row.Scan(&h.ID, &h.PersonID, &h.Seq, &h.From, &h.To, &h.Rule, &factIDs, &h.Author, timeCol{&h.At},
			&h.PrevHash, &h.Hash); err != nil {
			return h, err
		}
		if err := json.Unmarshal(factIDs, &h.FactIDs); err != nil {
			return h, fmt.Errorf("history entry %d: %w", h.ID, err)
		}
		return h, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return hs, nil
}
