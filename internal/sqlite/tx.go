package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"healthcode"
)

type tx struct {
	reader
	tx *sql.Tx
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(err))
	}
	return res, nil
}

// insert runs an INSERT and returns the new row id.
func (t *tx) insert(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := t.exec(ctx, what, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// LockPerson needs no explicit lock: the write transaction began IMMEDIATE
// and holds the database's only write lock until it ends.
func (t *tx) LockPerson(ctx context.Context, id int64) (*healthcode.Person, error) {
	return t.Person(ctx, id)
}

func (t *tx) CreateAccount(ctx context.Context, a *healthcode.Account) (err error) {
	a.ID, err = t.insert(ctx, "create account", `INSERT INTO accounts (phone_hash, phone_sealed, created_at) VALUES (?, ?, ?)`,
		a.PhoneHash, a.PhoneSealed, micro(a.CreatedAt))
	return err
}

func (t *tx) PutOTP(ctx context.Context, o *healthcode.OTP) error {
	_, err := t.exec(ctx, "put otp", `INSERT INTO otps (phone_hash, code_hash, sent_at, expires_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (phone_hash) DO UPDATE SET code_hash = excluded.code_hash,
		sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
		o.PhoneHash, o.CodeHash, micro(o.SentAt), micro(o.ExpiresAt))
	return err
}

func (t *tx) DeleteOTP(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "delete otp", `DELETE FROM otps WHERE phone_hash = ?`, phoneHash)
	return err
}

func (t *tx) CreateSession(ctx context.Context, s *healthcode.Session) error {
	_, err := t.exec(ctx, "create session", `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.TokenHash, s.AccountID, micro(s.CreatedAt), micro(s.ExpiresAt))
	return err
}

func (t *tx) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (t *tx) CreateStaffSession(ctx context.Context, s *healthcode.StaffSession) error {
	_, err := t.exec(ctx, "create staff session", `INSERT INTO staff_sessions (token_hash, key_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?)`, s.TokenHash, s.KeyHash, micro(s.CreatedAt), micro(s.ExpiresAt))
	return err
}

func (t *tx) DeleteStaffSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete staff session", `DELETE FROM staff_sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (t *tx) CreatePerson(ctx context.Context, p *healthcode.Person) (err error) {
	p.ID, err = t.insert(ctx, "create person", `INSERT INTO persons (owner_id, relation, doc_type, id_hash, id_sealed,
		name_sealed, name_masked, id_tail, phone_hash, phone_sealed, region, code_id, created_at, updated_at,
		reapplied, modified, modified_on, modified_that_day)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.OwnerID, p.Relation, p.DocType, p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail,
		p.PhoneHash, p.PhoneSealed, p.Region, p.CodeID, micro(p.CreatedAt), micro(p.UpdatedAt),
		p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay)
	return err
}

func (t *tx) UpdatePerson(ctx context.Context, p *healthcode.Person) error {
	res, err := t.exec(ctx, "update person", `UPDATE persons SET relation = ?, doc_type = ?, id_hash = ?, id_sealed = ?,
		name_sealed = ?, name_masked = ?, id_tail = ?, phone_hash = ?, phone_sealed = ?, region = ?, code_id = ?,
		updated_at = ?, reapplied = ?, modified = ?, modified_on = ?, modified_that_day = ?, owner_id = ? WHERE id = ?`,
		p.Relation, p.DocType, p.IDHash, p.IDSealed, p.NameSealed, p.NameMasked, p.IDTail, p.PhoneHash,
		p.PhoneSealed, p.Region, p.CodeID, micro(p.UpdatedAt), p.Reapplied, p.Modified, p.ModifiedOn,
		p.ModifiedThatDay, p.OwnerID, p.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", p.ID)
	}
	return nil
}

func (t *tx) AddFact(ctx context.Context, f *healthcode.Fact) error {
	body, err := f.MarshalBody()
	if err != nil {
		return err
	}
	f.ID, err = t.insert(ctx, "add fact", `INSERT INTO facts (person_id, kind, at, recorded_at, source, source_ref, author, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.PersonID, f.Kind, micro(f.At), micro(f.RecordedAt), f.Source,
		f.SourceRef, f.Author, string(body))
	return err
}

// PutStatus is PutStatuses for one person, so both write one way.
func (t *tx) PutStatus(ctx context.Context, personID int64, s *healthcode.Status) error {
	return t.PutStatuses(ctx, map[int64]*healthcode.Status{personID: s})
}

func statusJSON(s *healthcode.Status) (factIDs, reason, next, detail string, err error) {
	ids := s.FactIDs
	if ids == nil {
		ids = []int64{}
	}
	b1, err1 := json.Marshal(ids)
	b2, err2 := json.Marshal(s.Reason)
	b3, err3 := json.Marshal(s.Next)
	b4, err4 := s.MarshalDetail()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return "", "", "", "", fmt.Errorf("encode status: %w", err)
	}
	return string(b1), string(b2), string(b3), string(b4), nil
}

func (t *tx) AppendHistory(ctx context.Context, h *healthcode.HistoryEntry) error {
	if err := h.Validate(); err != nil {
		return err
	}
	factIDs, err := json.Marshal(h.FactIDs)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	h.ID, err = t.insert(ctx, "append history", `INSERT INTO status_history (person_id, seq, from_color, to_color, rule,
		fact_ids, author, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.PersonID, h.Seq, int64(h.From), int64(h.To), h.Rule, string(factIDs), h.Author, micro(h.At), h.PrevHash, h.Hash)
	return err
}

// Exec runs a raw statement in a transaction of this store; tests use it to
// check what the schema itself forbids.
func Exec(ctx context.Context, t healthcode.Tx, query string) error {
	_, err := t.(*tx).exec(ctx, "exec", query)
	return err
}
