package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"healthcode"
)

type tx struct {
	reader
	tx pgx.Tx
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return tag, fmt.Errorf("%s: %w", what, translate(err))
	}
	return tag, nil
}

// insert runs an INSERT … RETURNING id and returns the new row id.
func (t *tx) insert(ctx context.Context, what, query string, args ...any) (int64, error) {
	var id int64
	if err := t.tx.QueryRow(ctx, query, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("%s: %w", what, translate(err))
	}
	return id, nil
}

// LockPerson locks the person's row FOR UPDATE until the transaction ends,
// then reads the person in a second statement. One statement doing both
// would be wrong: after waiting for the lock, PostgreSQL rechecks only the
// locked persons row, and the joined statuses row stays as it was when the
// statement began, before the previous holder committed its new status.
// Under READ COMMITTED the second statement sees that commit. Both go in
// one batch, so this is still one round trip.
func (t *tx) LockPerson(ctx context.Context, id int64) (*healthcode.Person, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT FROM persons p WHERE p.id = $1 FOR UPDATE OF p`, id)
	b.Queue(`SELECT `+personColumns+personFrom+`WHERE p.id = $1`, id)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("lock person: %w", err)
	}
	p, err := scanPerson(br.QueryRow())
	if err == nil {
		err = br.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("lock person: %w", translate(err))
	}
	return p, nil
}

func (t *tx) CreateAccount(ctx context.Context, a *healthcode.Account) (err error) {
	a.ID, err = t.insert(ctx, "create account", `INSERT INTO accounts (phone_hash, phone_sealed, created_at)
		VALUES ($1, $2, $3) RETURNING id`, a.PhoneHash, a.PhoneSealed, a.CreatedAt)
	return err
}

func (t *tx) PutOTP(ctx context.Context, o *healthcode.OTP) error {
	_, err := t.exec(ctx, "put otp", `INSERT INTO otps (phone_hash, code_hash, sent_at, expires_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (phone_hash) DO UPDATE SET code_hash = excluded.code_hash,
		sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
		o.PhoneHash, o.CodeHash, o.SentAt, o.ExpiresAt)
	return err
}

func (t *tx) DeleteOTP(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "delete otp", `DELETE FROM otps WHERE phone_hash = $1`, phoneHash)
	return err
}

func (t *tx) CreateSession(ctx context.Context, s *healthcode.Session) error {
	_, err := t.exec(ctx, "create session", `INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, s.TokenHash, s.AccountID, s.CreatedAt, s.ExpiresAt)
	return err
}

func (t *tx) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

func (t *tx) CreateStaffSession(ctx context.Context, s *healthcode.StaffSession) error {
	_, err := t.exec(ctx, "create staff session", `INSERT INTO staff_sessions (token_hash, key_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, s.TokenHash, s.KeyHash, s.CreatedAt, s.ExpiresAt)
	return err
}

func (t *tx) DeleteStaffSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete staff session", `DELETE FROM staff_sessions WHERE token_hash = $1`, tokenHash)
	return err
}

func (t *tx) CreatePerson(ctx context.Context, p *healthcode.Person) (err error) {
	p.ID, err = t.insert(ctx, "create person", `INSERT INTO persons (owner_id, relation, doc_type, id_hash, id_sealed,
		name_sealed, name_masked, id_tail, phone_hash, phone_sealed, region, code_id, created_at, updated_at,
		reapplied, modified, modified_on, modified_that_day)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		p.OwnerID, string(p.Relation), string(p.DocType), p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail,
		p.PhoneHash, p.PhoneSealed, p.Region, p.CodeID, p.CreatedAt, p.UpdatedAt,
		p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay)
	return err
}

func (t *tx) UpdatePerson(ctx context.Context, p *healthcode.Person) error {
	tag, err := t.exec(ctx, "update person", `UPDATE persons SET relation = $1, doc_type = $2, id_hash = $3,
		id_sealed = $4, name_sealed = $5, name_masked = $6, id_tail = $7, phone_hash = $8, phone_sealed = $9,
		region = $10, code_id = $11, updated_at = $12, reapplied = $13, modified = $14, modified_on = $15,
		modified_that_day = $16, owner_id = $18 WHERE id = $17`,
		string(p.Relation), string(p.DocType), p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail,
		p.PhoneHash, p.PhoneSealed, p.Region, p.CodeID, p.UpdatedAt, p.Reapplied, p.Modified, p.ModifiedOn,
		p.ModifiedThatDay, p.ID, p.OwnerID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", p.ID)
	}
	return nil
}

func (t *tx) AddFact(ctx context.Context, f *healthcode.Fact) (err error) {
	body, err := f.MarshalBody()
	if err != nil {
		return err
	}
	// json.RawMessage makes pgx send the bytes as the jsonb value itself
	// rather than as a bytea-like string.
	f.ID, err = t.insert(ctx, "add fact", `INSERT INTO facts (person_id, kind, at, recorded_at, source, source_ref,
		author, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		f.PersonID, string(f.Kind), f.At, f.RecordedAt, f.Source, f.SourceRef, f.Author, json.RawMessage(body))
	return err
}

// PutStatus is PutStatuses for one person, so both write one way.
func (t *tx) PutStatus(ctx context.Context, personID int64, s *healthcode.Status) error {
	return t.PutStatuses(ctx, map[int64]*healthcode.Status{personID: s})
}

func statusJSON(s *healthcode.Status) (factIDs, reason, next, detail json.RawMessage, err error) {
	b1, err1 := json.Marshal(nonNil(s.FactIDs))
	b2, err2 := json.Marshal(s.Reason)
	b3, err3 := json.Marshal(s.Next)
	b4, err4 := s.MarshalDetail()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("encode status: %w", err)
	}
	return b1, b2, b3, b4, nil
}

// nonNil stores no fact ids as [] rather than null, so they read back as
// an empty slice.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (t *tx) AppendHistory(ctx context.Context, h *healthcode.HistoryEntry) error {
	if err := h.Validate(); err != nil {
		return err
	}
	factIDs, err := json.Marshal(nonNil(h.FactIDs))
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	h.ID, err = t.insert(ctx, "append history", `INSERT INTO status_history (person_id, seq, from_color, to_color,
		rule, fact_ids, author, at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		h.PersonID, h.Seq, int16(h.From), int16(h.To), h.Rule, json.RawMessage(factIDs), h.Author, h.At,
		h.PrevHash, h.Hash)
	return err
}

// Exec runs a raw statement in a transaction of this store; tests use it to
// check what the schema itself forbids.
func Exec(ctx context.Context, t healthcode.Tx, query string) error {
	_, err := t.(*tx).exec(ctx, "exec", query)
	return err
}

// OTP inside a transaction locks the code's row until the transaction ends,
// so concurrent wrong guesses are counted one after another instead of
// each writing back the same count (READ COMMITTED would lose increments).
func (t *tx) OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error) {
	return t.otp(ctx, otpQuery+` FOR UPDATE`, phoneHash)
}
