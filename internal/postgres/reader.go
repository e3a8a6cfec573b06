package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"healthcode"
)

// queryer is what *pgxpool.Pool and pgx.Tx share, so reads run alone (one
// round trip on any pooled connection) or in a transaction with one
// implementation.
type queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type reader struct{ q queryer }

// utc returns a time read from the database in UTC, as the SQLite store
// does; pgx returns timestamptz in the local zone.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (r reader) AccountByPhone(ctx context.Context, phoneHash []byte) (*healthcode.Account, error) {
	a := healthcode.Account{PhoneHash: phoneHash}
	err := r.q.QueryRow(ctx, `SELECT id, phone_sealed, created_at FROM accounts WHERE phone_hash = $1`,
		phoneHash).Scan(&a.ID, &a.PhoneSealed, &a.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("account by phone: %w", translate(err))
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

func (r reader) Account(ctx context.Context, id int64) (*healthcode.Account, error) {
	a := healthcode.Account{ID: id}
	err := r.q.QueryRow(ctx, `SELECT phone_hash, phone_sealed, created_at FROM accounts WHERE id = $1`,
		id).Scan(&a.PhoneHash, &a.PhoneSealed, &a.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", id, translate(err))
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

const otpQuery = `SELECT code_hash, sent_at, expires_at FROM otps WHERE phone_hash = $1`

func (r reader) OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error) {
	return r.otp(ctx, otpQuery, phoneHash)
}

func (r reader) otp(ctx context.Context, query string, phoneHash []byte) (*healthcode.OTP, error) {
	o := healthcode.OTP{PhoneHash: phoneHash}
	err := r.q.QueryRow(ctx, query, phoneHash).Scan(&o.CodeHash, &o.SentAt, &o.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("otp: %w", translate(err))
	}
	o.SentAt, o.ExpiresAt = o.SentAt.UTC(), o.ExpiresAt.UTC()
	return &o, nil
}

func (r reader) Session(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.Session, error) {
	s := healthcode.Session{TokenHash: tokenHash}
	err := r.q.QueryRow(ctx, `SELECT account_id, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now).Scan(&s.AccountID, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("session: %w", translate(err))
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

func (r reader) StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.StaffSession, error) {
	s := healthcode.StaffSession{TokenHash: tokenHash}
	err := r.q.QueryRow(ctx, `SELECT key_hash, created_at, expires_at FROM staff_sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now).Scan(&s.KeyHash, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("staff session: %w", translate(err))
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

const personColumns = `p.id, p.owner_id, p.relation, p.doc_type, p.id_hash, p.id_sealed, p.name_sealed,
	p.name_masked, p.id_tail, p.phone_hash, p.phone_sealed, p.region, p.code_id, p.created_at, p.updated_at,
	p.reapplied, p.modified, p.modified_on, p.modified_that_day,
	s.color, s.since, s.policy, s.rule, s.fact_ids, s.reason, s.next, s.detail, s.next_eval_at, s.evaluated_at,
	s.head_seq, s.head_hash`

const personFrom = ` FROM persons p LEFT JOIN statuses s ON s.person_id = p.id `

func (r reader) Person(ctx context.Context, id int64) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person", `SELECT `+personColumns+personFrom+`WHERE p.id = $1`, id)
}

func (r reader) PersonByIdentity(ctx context.Context, idHash []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by identity", `SELECT `+personColumns+personFrom+`WHERE p.id_hash = $1`, idHash)
}

func (r reader) PersonByCode(ctx context.Context, codeID []byte) (*healthcode.Person, error) {
	return r.onePerson(ctx, "person by code", `SELECT `+personColumns+personFrom+`WHERE p.code_id = $1`, codeID)
}

func (r reader) PersonsByOwner(ctx context.Context, accountID int64) ([]*healthcode.Person, error) {
	rows, err := r.q.Query(ctx, `SELECT `+personColumns+personFrom+
		`WHERE p.owner_id = $1 ORDER BY p.relation <> 'self', p.id`, accountID)
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
func scanPersons(rows pgx.Rows) ([]*healthcode.Person, error) {
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
	p, err := scanPerson(r.q.QueryRow(ctx, query, arg))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(err))
	}
	return p, nil
}

func scanPerson(row pgx.Row) (*healthcode.Person, error) {
	var p healthcode.Person
	// The status columns are NULL when the person was never evaluated.
	var color *int16
	var since, nextEval, evaluated *time.Time
	var headSeq *int64
	var policy, rule *string
	var factIDs, reason, next, detail, head []byte
	err := row.Scan(&p.ID, &p.OwnerID, &p.Relation, &p.DocType, &p.IDHash, &p.IDSealed, &p.NameSealed,
		&p.NameMasked, &p.IDTail, &p.PhoneHash, &p.PhoneSealed, &p.Region, &p.CodeID, &p.CreatedAt, &p.UpdatedAt,
		&p.Reapplied, &p.Modified, &p.ModifiedOn, &p.ModifiedThatDay,
		&color, &since, &policy, &rule, &factIDs, &reason, &next, &detail, &nextEval, &evaluated, &headSeq, &head)
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if color == nil {
		return &p, nil
	}
	s := &healthcode.Status{
		Color: healthcode.Color(*color), Since: utc(since), Policy: *policy, Rule: *rule,
		NextEvalAt: utc(nextEval), EvaluatedAt: utc(evaluated),
		HeadSeq: *headSeq, HeadHash: head,
	}
	if err := unmarshalJSON(factIDs, &s.FactIDs, reason, &s.Reason, next, &s.Next); err != nil {
		return nil, fmt.Errorf("status of person %d: %w", p.ID, err)
	}
	if err := s.UnmarshalDetail(detail); err != nil {
		return nil, fmt.Errorf("status of person %d: %w", p.ID, err)
	}
	p.Status = s
	return &p, nil
}

// unmarshalJSON decodes pairs of (JSON, destination).
func unmarshalJSON(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		if err := json.Unmarshal(pairs[i].([]byte), pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

const factColumns = `person_id, id, kind, at, recorded_at, source, source_ref, author, body`

func (r reader) Facts(ctx context.Context, personID int64) ([]healthcode.Fact, error) {
	rows, err := r.q.Query(ctx, `SELECT `+factColumns+` FROM facts WHERE person_id = $1 ORDER BY at, id`, personID)
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
func scanFact(row pgx.Row) (healthcode.Fact, error) {
	var f healthcode.Fact
	var body []byte
	if err := row.Scan(&f.PersonID, &f.ID, &f.Kind, &f.At, &f.RecordedAt, &f.Source, &f.SourceRef, &f.Author, &body); err != nil {
		return f, err
	}
	f.At, f.RecordedAt = f.At.UTC(), f.RecordedAt.UTC()
	return f, f.UnmarshalBody(body)
}

func (r reader) History(ctx context.Context, personID int64) ([]healthcode.HistoryEntry, error) {
	rows, err := r.q.Query(ctx, `SELECT id, seq, from_color, to_color, rule, fact_ids, author, at, prev_hash, hash
		FROM status_history WHERE person_id = $1 ORDER BY seq`, personID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var hs []healthcode.HistoryEntry
	for rows.Next() {
		h := healthcode.HistoryEntry{PersonID: personID}
		var from, to int16
		var factIDs []byte
		if err := rows.Scan(&h.ID, &h.Seq, &from, &to, &h.Rule, &factIDs, &h.Author, &h.At, &h.PrevHash, &h.Hash); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		h.From, h.To, h.At = healthcode.Color(from), healthcode.Color(to), h.At.UTC()
		if err := json.Unmarshal(factIDs, &h.FactIDs); err != nil {
			return nil, fmt.Errorf("history entry %d: %w", h.ID, err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return hs, nil
}
