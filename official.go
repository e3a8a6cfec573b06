package healthcode

import (
	"slices"
	"time"
	"unicode"
)

// Official is a person with an account (SPEC D1–D5): a login, a password
// and a TOTP second factor, one of the officials' roles, scoped to one
// node of the division hierarchy (ScopeProblem). Officials act on
// citizens' codes within their scope; nothing in this record is ever
// logged but its id, role and scope.
type Official struct {
	ID    int64
	Login string // unique; ValidateLogin
	Role  Role
	Scope string // a division code of 6, 9 or 12 digits
	// PasswordHash is the password's argon2id hash in PHC form
	// (internal/password); the password itself is never stored.
	PasswordHash string
	// TOTPSealed is the TOTP secret sealed with the service's secret.Box,
	// as identity fields are.
	TOTPSealed []byte
	// TOTPStep is the time step of the last TOTP code accepted, so a
	// code is accepted once: a step at or before it is refused.
	TOTPStep   int64
	CreatedAt  time.Time
	CreatedBy  string    // Principal.Author of who appointed the official
	DisabledAt time.Time // zero: active
	// FailedLogins counts the wrong passwords and codes of the current
	// run, which began at FailedSince; LockedUntil is when a locked
	// account opens again (zero: not locked).
	FailedLogins int
	FailedSince  time.Time
	LockedUntil  time.Time
}

// Principal is the official as a caller: their role, scoped to their
// division.
func (o *Official) Principal() *Principal {
	return &Principal{Role: o.Role, OfficialID: o.ID, Region: o.Scope}
}

// Disabled reports whether the account was disabled.
func (o *Official) Disabled() bool { return !o.DisabledAt.IsZero() }

// Login names are short and plain, so they read the same in a log line,
// a URL and a terminal.
const (
	LoginMin = 3
	LoginMax = 32
)

// LoginProblem checks a login name: 3 to 32 of a–z, 0–9, '.', '_' and
// '-'. It returns nil for a valid one.
func LoginProblem(login string) error {
	if len(login) < LoginMin || len(login) > LoginMax {
		return M("must be %d to %d characters", LoginMin, LoginMax)
	}
	for _, c := range []byte(login) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != '-' {
			return M("may hold only a-z, 0-9, '.', '_' and '-'")
		}
	}
	return nil
}

// OfficialSession is a logged-in official; the bearer token is stored
// hashed, as citizens' sessions are.
type OfficialSession struct {
	TokenHash  []byte
	OfficialID int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Unmasking records that an official saw a person's identity in clear,
// and why (SPEC E1, E2): the person may ask who looked at them. Reason is
// the official's own words and stays in the store, never in the public
// log.
type Unmasking struct {
	ID         int64
	OfficialID int64
	PersonID   int64
	Reason     string
	Category   string // one of UnmaskCategories
	At         time.Time
}

// Why an official may unmask a person.
const (
	UnmaskInvestigation  = "investigation"   // an epidemiological investigation
	UnmaskWorkflow       = "workflow"        // an appeal, a correction or a release in hand
	UnmaskCitizenRequest = "citizen-request" // the person asked for help
	UnmaskDataCorrection = "data-correction" // wrong identity or phone data
)

// UnmaskCategories lists the categories of unmasking, in the order forms
// show them.
var UnmaskCategories = []string{UnmaskInvestigation, UnmaskWorkflow, UnmaskCitizenRequest, UnmaskDataCorrection}

// ValidUnmaskCategory reports whether c is one of UnmaskCategories.
func ValidUnmaskCategory(c string) bool { return slices.Contains(UnmaskCategories, c) }

// UnmaskReasonMin is the fewest characters (runes) an unmasking's reason
// may have: enough to say what it is for.
const UnmaskReasonMin = 10

// Visible counts the characters of s a reader sees: blanks, control and
// invisible format characters (a zero-width space) are not counted, so
// that they cannot pad words that say nothing to a length asked of them.
func Visible(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
