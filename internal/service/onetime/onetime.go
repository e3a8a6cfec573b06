// Package onetime sends and checks one-time codes texted to a phone: the
// login code and a relative's consent code. It keeps the rules both share:
// a code lives five minutes, is not sent again within 30 seconds, and a
// phone gets five guesses in any 15 minutes whatever the codes are for.
package onetime

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/service/throttle"
)

// One-time code rules: short-lived, few guesses, and no resend storm.
const (
	otpTTL         = 5 * time.Minute
	otpResendAfter = 30 * time.Second
	// otpMaxGuesses guesses per phone, whatever code they are for, and
	// then none until GuessWindow has passed since the last: no span of
	// 15 minutes sees more than 5 checked, which makes guessing a 6-digit
	// code hopeless (about 0.05 % a day); asking for a new code gives no
	// new guesses.
	otpMaxGuesses = 5
	// GuessWindow is how long a phone's run of guesses is remembered
	// after its last guess.
	GuessWindow = 15 * time.Minute
)

// reader is what checks before a text read, from the store or inside a
// transaction.
type reader interface {
	OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error)
	Guesses(ctx context.Context, phoneHash []byte) (n int, last time.Time, err error)
}

// Store is what the codes are kept in.
type Store interface {
	reader
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Codes sends and checks one-time codes. It is safe for concurrent use.
type Codes struct {
	store    Store
	box      *secret.Box
	sender   healthcode.SMSSender
	throttle *throttle.Throttle
	log      *slog.Logger
	clock    func() time.Time
	dev      bool
}

// New returns Codes texting through sender, counting each text against
// the phone's rate limit in throttle, with the time from clock (at store
// precision). With dev set, results carry the code itself.
func New(store Store, box *secret.Box, sender healthcode.SMSSender, throttle *throttle.Throttle,
	log *slog.Logger, clock func() time.Time, dev bool) *Codes {
	return &Codes{store: store, box: box, sender: sender, throttle: throttle, log: log, clock: clock, dev: dev}
}

// Result is what asking for a one-time code returns.
type Result struct {
	ExpiresAt time.Time `json:"expires_at"`
	// SentTo is the phone the code went to, masked.
	SentTo string `json:"sent_to"`
	// DevCode is the code itself, only when the server runs with --dev.
	DevCode string `json:"dev_code,omitempty"`
}

// Code says where a code goes and what it is bound to.
type Code struct {
	Phone     string // in canonical form
	Key       []byte // the OTP row's key
	Purpose   string // healthcode.CodeLogin or CodeConsent
	Requester string // CodeConsent: the masked phone asking
	// Hash binds a code to what it is for: the phone, and for consent the
	// account asking and the identity it asks about.
	Hash func(code string) []byte
}

func otpCode() string {
	v, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", v.Int64())
}
