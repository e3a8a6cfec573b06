package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"healthcode"
)

// queryer is what *sql.DB and *sql.Tx share, so reads run alone or in a
// transaction with one implementation.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader runs the store's reads on q. Outside transactions it keeps
// prepared statements: SQLite parsing a query costs more than running a
// point lookup, and verification is all point lookups.
type reader struct {
	q     queryer
	stmts *stmtCache // nil inside transactions
}

type stmtCache struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// queryRow and query classify the errors of starting a read: a deadline
// passed waiting for a connection or a lock.
func (r reader) queryRow(ctx context.Context, query string, args ...any) scanner {
	if r.stmts == nil {
		return classifiedRow{r.q.QueryRowContext(ctx, query, args...)}
	}
	st, err := r.stmts.get(ctx, query)
	if err != nil {
		return errRow{classify(err)}
	}
	return classifiedRow{st.QueryRowContext(ctx, args...)}
}

func (r reader) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if r.stmts == nil {
		rows, err := r.q.QueryContext(ctx, query, args...)
		return rows, classify(err)
	}
	st, err := r.stmts.get(ctx, query)
	if err != nil {
		return nil, classify(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, classify(err)
}

// errRow reports a failed prepare through the usual Scan.
type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

func micro(t time.Time) int64 { return t.UnixMicro() }

func fromMicro(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicro(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: !t.IsZero()}
}

func (r reader) AccountByPhone(ctx context.Context, phoneHash []byte) (*healthcode.Account, error) {
	a := healthcode.Account{PhoneHash: phoneHash}
	var created int64
	err := r.queryRow(ctx, `SELECT id, phone_sealed, created_at FROM accounts WHERE phone_hash = ?`,
		phoneHash).Scan(&a.ID, &a.PhoneSealed, &created)
	if err != nil {
		return nil, fmt.Errorf("account by phone: %w", translate(err))
	}
	a.CreatedAt = fromMicro(created)
	return &a, nil
}

func (r reader) Account(ctx context.Context, id int64) (*healthcode.Account, error) {
	a := healthcode.Account{ID: id}
	var created int64
	err := r.queryRow(ctx, `SELECT phone_hash, phone_sealed, created_at FROM accounts WHERE id = ?`,
		id).Scan(&a.PhoneHash, &a.PhoneSealed, &created)
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", id, translate(err))
	}
	a.CreatedAt = fromMicro(created)
	return &a, nil
}

func (r reader) OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error) {
	o := healthcode.OTP{PhoneHash: phoneHash}
	var sent, expires int64
	err := r.queryRow(ctx, `SELECT code_hash, sent_at, expires_at FROM otps WHERE phone_hash = ?`,
		phoneHash).Scan(&o.CodeHash, &sent, &expires)
	if err != nil {
		return nil, fmt.Errorf("otp: %w", translate(err))
	}
	o.SentAt, o.ExpiresAt = fromMicro(sent), fromMicro(expires)
	return &o, nil
}

func (r reader) Session(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.Session, error) {
	s := healthcode.Session{TokenHash: tokenHash}
	var created, expires int64
	err := r.queryRow(ctx, `SELECT account_id, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, micro(now)).Scan(&s.AccountID, &created, &expires)
	if err != nil {
		return nil, fmt.Errorf("session: %w", translate(err))
	}
	s.CreatedAt, s.ExpiresAt = fromMicro(created), fromMicro(expires)
	return &s, nil
}

func (r reader) StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.StaffSession, error) {
	s := healthcode.StaffSession{TokenHash: tokenHash}
	var created, expires int64
	err := r.queryRow(ctx, `SELECT key_hash, created_at, expires_at FROM staff_sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, micro(now)).Scan(&s.KeyHash, &created, &expires)
	if err != nil {
		return nil, fmt.Errorf("staff session: %w", translate(err))
	}
	s.CreatedAt, s.ExpiresAt = fromMicro(created), fromMicro(expires)
	return &s, nil
}

const personColumns = `p.id, p.owner_id, p.relation, p.doc_type, p.id_hash, p.id_sealed, p.name_sealed,
	p.name_masked, p.id_tail, p.phone_hash, p.phone_sealed, p.region, p.code_id, p.created_at, p.updated_at,
	p.reapplied, p.modified, p.modified_on, p.modified_that_day,
	s.color, s.since, s.policy, s.rule, s.fact_ids, s.reason, s.next, s.detail, s.next_eval_at, s.evaluated_at,
	s.head_seq, s.head_hash`

const personFrom = ` FROM persons p LEFT JOIN statuses s ON s.person_id = p.id `

func (r reader) Person(ctx context.Context, id int64) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person", `SELECT `+personColumns+personFrom+`WHERE p.id = ?`, id)
}

func (r reader) PersonByIdentity(ctx context.Context, idHash []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by identity", `SELECT `+personColumns+personFrom+`WHERE p.id_hash = ?`, idHash)
}

func (r reader) PersonByCode(ctx context.Context, codeID []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by code", `SELECT `+personColumns+personFrom+`WHERE p.code_id = ?`, codeID)
}

func (r reader) PersonsByOwner(ctx context.Context, accountID int64) ([]*healthcode.Person, error) {
	rows, err := r.query(ctx, `SELECT `+personColumns+personFrom+
		`WHERE p.owner_id = ? ORDER BY p.relation <> 'self', p.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("persons by owner: %w", err)
	}
	ps, err := scanPersons(rows)
	if err != nil {
		return nil, fmt.Errorf("persons by owner: %w", err)
	}
	return ps, nil
}

// scanPersons reads every row of a person query and closes it.
func scanPersons(rows *sql.Rows) ([]*healthcode.Person, error) {
	defer rows.Close()
	var ps []*healthcode.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

func (r reader) onePerson(ctx context.Context, what, query string, arg any) (*healthcode.Person, error) {
	p, err := scanPerson(r.queryRow(ctx, query, arg))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(err))
	}
	return p, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanPerson(row scanner) (*healthcode.Person, error) {
	var p healthcode.Person
	var created, updated int64
	var reapplied bool
	var color, since, evaluated, nextEval, headSeq sql.NullInt64
	var policy, rule, factIDs, reason, next, detail sql.NullString
	var head []byte
	err := row.Scan(&p.ID, &p.OwnerID, &p.Relation, &p.DocType, &p.IDHash, &p.IDSealed, &p.NameSealed,
		&p.NameMasked, &p.IDTail, &p.PhoneHash, &p.PhoneSealed, &p.Region, &p.CodeID, &created, &updated,
		&reapplied, &p.Modified, &p.ModifiedOn, &p.ModifiedThatDay,
		&color, &since, &policy, &rule, &factIDs, &reason, &next, &detail, &nextEval, &evaluated, &headSeq, &head)
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt, p.Reapplied = fromMicro(created), fromMicro(updated), reapplied
	if !color.Valid {
		return &p, nil
	}
	s := &healthcode.Status{
		Color: healthcode.Color(color.Int64), Since: fromMicro(since.Int64), Policy: policy.String,
		Rule: rule.String, EvaluatedAt: fromMicro(evaluated.Int64),
		HeadSeq: headSeq.Int64, HeadHash: head,
	}
	if nextEval.Valid {
		s.NextEvalAt = fromMicro(nextEval.Int64)
	}
	if err := unmarshalJSON(factIDs.String, &s.FactIDs, reason.String, &s.Reason, next.String, &s.Next); err != nil {
		return nil, fmt.Errorf("status of person %d: %w", p.ID, err)
	}
	if err := s.UnmarshalDetail([]byte(detail.String)); err != nil {
		return nil, fmt.Errorf("status of person %d: %w", p.ID, err)
	}
	p.Status = s
	return &p, nil
}

// unmarshalJSON decodes pairs of (text, destination).
func unmarshalJSON(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		if err := json.Unmarshal([]byte(pairs[i].(string)), pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

const factColumns = `person_id, id, kind, at, recorded_at, source, source_ref, author, body`

func (r reader) Facts(ctx context.Context, personID int64) ([]healthcode.Fact, error) {
	rows, err := r.query(ctx, `SELECT `+factColumns+` FROM facts WHERE person_id = ? ORDER BY at, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	defer rows.Close()
	var fs []healthcode.Fact
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			return nil, fmt.Errorf("facts: %w", err)
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}
	return fs, nil
}

// scanFact reads one row of factColumns.
func scanFact(row scanner) (healthcode.Fact, error) {
	var f healthcode.Fact
	var at, recorded int64
	var body []byte
	if err := row.Scan(&f.PersonID, &f.ID, &f.Kind, &at, &recorded, &f.Source, &f.SourceRef, &f.Author, &body); err != nil {
		return f, err
	}
	f.At, f.RecordedAt = fromMicro(at), fromMicro(recorded)
	return f, f.UnmarshalBody(body)
}

func (r reader) History(ctx context.Context, personID int64) ([]healthcode.HistoryEntry, error) {
	rows, err := r.query(ctx, `SELECT id, seq, from_color, to_color, rule, fact_ids, author, at, prev_hash, hash
		FROM status_history WHERE person_id = ? ORDER BY seq`, personID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var hs []healthcode.HistoryEntry
	for rows.Next() {
		h := healthcode.HistoryEntry{PersonID: personID}
		var at int64
		var factIDs string
		if err := rows.Scan(&h.ID, &h.Seq, &h.From, &h.To, &h.Rule, &factIDs, &h.Author, &at, &h.PrevHash, &h.Hash); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		h.At = fromMicro(at)
		if err := json.Unmarshal([]byte(factIDs), &h.FactIDs); err != nil {
			return nil, fmt.Errorf("history entry %d: %w", h.ID, err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return hs, nil
}
