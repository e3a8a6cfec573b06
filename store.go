package healthcode

import (
	"context"
	"time"
)

// Reader holds the store's reads. Both the store (each read on its own) and
// a transaction (reads inside it) implement it. Every method returns an
// ENOTFOUND *Error when nothing matches.
type Reader interface {
	AccountByPhone(ctx context.Context, phoneHash []byte) (*Account, error)
	OTP(ctx context.Context, phoneHash []byte) (*OTP, error)
	Session(ctx context.Context, tokenHash []byte, now time.Time) (*Session, error)
	APIKey(ctx context.Context, hash []byte) (*APIKey, error)

	// Person, PersonByIdentity and PersonByCode fill in Person.Status.
	Person(ctx context.Context, id int64) (*Person, error)
	PersonByIdentity(ctx context.Context, idHash []byte) (*Person, error)
	PersonByCode(ctx context.Context, codeID []byte) (*Person, error)
	// PersonsByOwner lists the persons an account manages, itself first.
	PersonsByOwner(ctx context.Context, accountID int64) ([]*Person, error)

	// Facts returns a person's facts in the order they happened.
	Facts(ctx context.Context, personID int64) ([]Fact, error)
	// History returns a person's colour changes, oldest first.
	History(ctx context.Context, personID int64) ([]HistoryEntry, error)
}

// Tx is a read-write transaction. Writes that break a uniqueness rule
// return an ECONFLICT *Error. After any error the transaction is spent:
// PostgreSQL refuses further statements, so check before writing instead
// of catching a conflict and carrying on.
type Tx interface {
	Reader

	// LockPerson reads a person and holds it against concurrent writers
	// until the transaction ends, so evaluations of one person serialise.
	LockPerson(ctx context.Context, id int64) (*Person, error)

	CreateAccount(ctx context.Context, a *Account) error
	PutOTP(ctx context.Context, o *OTP) error
	DeleteOTP(ctx context.Context, phoneHash []byte) error
	CreateSession(ctx context.Context, s *Session) error
	CreateAPIKey(ctx context.Context, k *APIKey) error

	CreatePerson(ctx context.Context, p *Person) error
	UpdatePerson(ctx context.Context, p *Person) error
	AddFact(ctx context.Context, f *Fact) error

	// PutStatus replaces a person's current status.
	PutStatus(ctx context.Context, personID int64, s *Status) error
	// AppendHistory adds a sealed entry; entries are never changed.
	AppendHistory(ctx context.Context, h *HistoryEntry) error
}

// Store is the persistence of healthcode, implemented by internal/sqlite and
// internal/postgres and checked by one conformance suite.
type Store interface {
	Reader
	// Update runs fn in a transaction, committed when fn returns nil and
	// rolled back otherwise. fn must read through its Tx, never the Store:
	// the store's reads do not see the transaction's writes and take a
	// second connection.
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}
