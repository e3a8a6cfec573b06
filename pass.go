package healthcode

import (
	"context"
	"time"
)

// Pass is a paper pass (SPEC C7, seed 003 Q9): a signed code printed for
// a person without a smartphone, issued by a community worker who checked
// their identity document, vaccination, nucleic-acid result and
// temperature as the region's policy pack asks. It has its own random id,
// never the person's code id, so a lost pass can be revoked without
// touching the person's code; it passes only while the holder's live
// colour passes and until it expires. Nothing in it is an identity.
type Pass struct {
	ID         []byte // 12 random bytes: the token's code id (healthqr.CodeID)
	PersonID   int64
	OfficialID int64  // who issued it
	Division   string // the issuing official's scope: the community printed on it
	IssuedAt   time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero: not revoked
	RevokedBy  int64     // the official who revoked it
}

// Revoked reports whether the pass was revoked.
func (p *Pass) Revoked() bool { return !p.RevokedAt.IsZero() }

// PassReader reads paper passes.
type PassReader interface {
	// Pass returns the pass of that id. Errors: ENOTFOUND.
	Pass(ctx context.Context, id []byte) (*Pass, error)
	// PassesOf lists a person's passes, newest first; none is not an
	// error.
	PassesOf(ctx context.Context, personID int64) ([]Pass, error)
}

// PassWriter writes paper passes.
type PassWriter interface {
	// CreatePass stores a pass. Errors: ECONFLICT for an id taken.
	CreatePass(ctx context.Context, p *Pass) error
	// RevokePass marks the pass revoked at at by the official. Errors:
	// ENOTFOUND for no such pass, ECONFLICT when it was revoked already
	// (its first revocation stays).
	RevokePass(ctx context.Context, id []byte, at time.Time, by int64) error
}

// The log kinds of paper passes and look-ups by ID number.
const (
	// LogPassIssued and LogPassRevoked are a paper pass issued or revoked
	// by a community worker: its expiry and the issuing community, never
	// the person nor the pass id (a printed pass would link to it).
	LogPassIssued  LogKind = "pass-issued"
	LogPassRevoked LogKind = "pass-revoked"
	// LogPersonLookedUp is a checkpoint looking a person up by ID number:
	// the checkpoint's key and whether someone was found, never the
	// number nor the person.
	LogPersonLookedUp LogKind = "person-looked-up"
)

// LogPass is a paper pass as the log shows it.
type LogPass struct {
	Division  string    `json:"division"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LogOfPass is the log entry of a pass issued (LogPassIssued) or revoked
// (LogPassRevoked) at at.
func LogOfPass(kind LogKind, p *Pass, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: kind, At: at, Author: by,
		Pass: &LogPass{Division: p.Division, ExpiresAt: p.ExpiresAt.UTC().Truncate(time.Microsecond)}}
}

// LogLookup is a look-up by ID number as the log shows it: whether a
// person was found, nothing of who.
type LogLookup struct {
	Found bool `json:"found"`
}

// LogOfLookup is the log entry of a checkpoint's look-up by ID number.
func LogOfLookup(found bool, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogPersonLookedUp, At: at, Author: by, Lookup: &LogLookup{Found: found}}
}
