package healthcode

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Role is what a principal may do. Package internal/permission grants
// each role its permissions, as data.
type Role string

// Roles known to the core.
const (
	RoleCitizen    Role = "citizen"    // logged in by phone + one-time code
	RoleCheckpoint Role = "checkpoint" // scanning staff, by API key
	RoleAdmin      Role = "admin"      // operators: policy simulation, by API key
	RoleFeed       Role = "feed"       // data feeds (labs, investigations), by API key
	// RoleOperator is whoever runs the command line on the server: full
	// authority, nationwide. It is never a key's role, so no request over
	// HTTP acts as it.
	RoleOperator Role = "operator"
)

// Officials' roles (SPEC D1–D5): people, with accounts, not keys, each
// scoped to one node of the division hierarchy (Principal.Region, see
// ScopeProblem), acting in the workflows that pass a case up the chain
// community → street → district.
const (
	RoleCommunity Role = "community" // village or community worker (村/社区): files forms, organises tests
	RoleStreet    Role = "street"    // town or street reviewer (乡镇/街道)
	RoleDistrict  Role = "district"  // district or county officer: answers appeals, approves, transfers
	RoleIsolation Role = "isolation" // isolation-point operator: release lists
	RoleAuditor   Role = "auditor"   // reads workflows and the log's activity, changes nothing
	// RoleAdministrator manages officials' accounts within its scope. It
	// is an official's, not the API key role RoleAdmin.
	RoleAdministrator Role = "administrator"
)

// Principal is who is calling: a citizen's account or an API key.
type Principal struct {
	Role       Role
	AccountID  int64    // citizens
	OfficialID int64    // officials
	KeyID      int64    // API keys
	Name       string   // an API key's name, for fact sources
	Region     string   // an API key's region, an official's scope
	Kinds      []string // a feed key's feed kinds
}

// Author names the principal in facts and history.
func (p *Principal) Author() string {
	if p == nil {
		return "anonymous"
	}
	if p.AccountID != 0 {
		return "account:" + strconv.FormatInt(p.AccountID, 10)
	}
	if p.OfficialID != 0 {
		return "official:" + strconv.FormatInt(p.OfficialID, 10)
	}
	if p.Role == RoleOperator {
		return string(RoleOperator) // the command line: no key, no account
	}
	return "key:" + strconv.FormatInt(p.KeyID, 10)
}

// AuthorKey returns the API key id an author string of Author names, and
// false for an author that is no key (a citizen's account, the system).
func AuthorKey(author string) (int64, bool) { return authorID(author, "key:") }

// AuthorOfficial returns the official's account id an author string of
// Author names, and false for any other author.
func AuthorOfficial(author string) (int64, bool) { return authorID(author, "official:") }

func authorID(author, prefix string) (int64, bool) {
	v, ok := strings.CutPrefix(author, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the caller, or nil when anonymous.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Account is a citizen's login, identified by phone.
type Account struct {
	ID          int64
	PhoneHash   []byte
	PhoneSealed []byte
	CreatedAt   time.Time
}

// OTP is a pending one-time code; only its keyed hash is stored. Key is
// the phone's lookup hash for a login code, and another hash of the phone
// for a relative's consent, so one phone can wait for both. Wrong guesses
// are counted per phone, not per code (Tx.CountGuess).
type OTP struct {
	PhoneHash []byte // the key: see above
	CodeHash  []byte
	SentAt    time.Time
	ExpiresAt time.Time
}

// Session is a logged-in citizen; the bearer token is stored hashed.
type Session struct {
	TokenHash []byte
	AccountID int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// StaffSession is a checkpoint's or an admin's login on the staff pages,
// opened with their API key: the browser holds the session's token, never
// the key, and logging out ends it. Stored hashed, as sessions are.
type StaffSession struct {
	TokenHash []byte
	KeyHash   []byte // the API key's hash: a revoked key ends its sessions
	CreatedAt time.Time
	ExpiresAt time.Time
	// Passed and Refused count the session's verdicts (Tx.CountVerdict):
	// the shift's tally the scanner shows.
	Passed, Refused int
}

// APIKey authenticates a machine or a checkpoint device; stored hashed.
type APIKey struct {
	ID        int64
	Hash      []byte
	Name      string
	Role      Role
	Region    string
	Kinds     []string // the feed kinds a RoleFeed key may send; nil for other roles
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: not revoked
}

// Key states, as State reports them.
const (
	KeyActive  = "active"
	KeyExpired = "expired"
	KeyRevoked = "revoked"
)

// State says whether the key works at now: revoked wins over expired, for
// revoking is what an operator did on purpose.
func (k *APIKey) State(now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return KeyRevoked
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return KeyExpired
	}
	return KeyActive
}

// MarshalKinds encodes the key's feed kinds for storage: a JSON array,
// [] when there are none.
func (k *APIKey) MarshalKinds() ([]byte, error) {
	if len(k.Kinds) == 0 {
		return []byte("[]"), nil
	}
	b, err := json.Marshal(k.Kinds)
	if err != nil {
		return nil, fmt.Errorf("encode api key kinds: %w", err)
	}
	return b, nil
}

// UnmarshalKinds sets the key's feed kinds from their stored form; an
// empty array leaves Kinds nil.
func (k *APIKey) UnmarshalKinds(b []byte) error {
	var kinds []string
	if err := json.Unmarshal(b, &kinds); err != nil {
		return fmt.Errorf("decode kinds of api key %d: %w", k.ID, err)
	}
	k.Kinds = nil
	if len(kinds) > 0 {
		k.Kinds = kinds
	}
	return nil
}
