package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
)

// Bearer token prefixes tell sessions from API keys at a glance, in logs
// and in secret scanners.
const (
	sessionPrefix      = "hcs_"
	staffSessionPrefix = "hcw_" // w: a workstation's, opened with a key
	apiKeyPrefix       = "hck_"
	// OfficialPrefix starts an official's session token (package
	// officials opens them; Authenticate resolves them).
	OfficialPrefix = "hco_"
)

// staffSessionTTL bounds a staff login: a shift.
const staffSessionTTL = 12 * time.Hour

// LoginResult is a new session.
type LoginResult struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Logout ends a citizen's session: the token stops working at once, on
// every server. Anyone may call it with a token they hold; an unknown
// token is not an error, so logging out twice is harmless.
func (s *Sessions) Logout(ctx context.Context, token string) error {
	switch {
	case strings.HasPrefix(token, sessionPrefix):
		return s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.DeleteSession(ctx, tokenHash(token)) })
	case strings.HasPrefix(token, staffSessionPrefix):
		return s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.DeleteStaffSession(ctx, tokenHash(token)) })
	}
	return nil
}

// StaffLogin opens a staff session with a checkpoint's or an admin's API
// key, for the staff pages: the browser keeps the session's token, not
// the key, and Logout ends it; revoking the key ends it too. Errors:
// EUNAUTHORIZED for an unknown or revoked key, EFORBIDDEN for a feed key.
func (s *Sessions) StaffLogin(ctx context.Context, key string) (*LoginResult, *healthcode.Principal, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Not a device key (hck_…).")
	}
	who, err := s.Authenticate(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if !permission.Can(who, permission.StaffLogin, "") {
		return nil, nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Only checkpoint and admin keys open the staff pages.")
	}
	now := s.clock()
	token := staffSessionPrefix + randomToken()
	sess := &healthcode.StaffSession{TokenHash: tokenHash(token), KeyHash: tokenHash(key), CreatedAt: now,
		ExpiresAt: now.Add(staffSessionTTL)}
	if err := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateStaffSession(ctx, sess) }); err != nil {
		return nil, nil, err
	}
	return &LoginResult{Token: token, ExpiresAt: sess.ExpiresAt}, who, nil
}

// Authenticate resolves a bearer token to its principal. Errors:
// EUNAUTHORIZED for unknown, expired or revoked tokens.
func (s *Sessions) Authenticate(ctx context.Context, token string) (*healthcode.Principal, error) {
	unauthorized := healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in again: the token is unknown or expired.")
	switch {
	case strings.HasPrefix(token, sessionPrefix):
		sess, err := s.store.Session(ctx, tokenHash(token), s.clock())
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			return nil, unauthorized
		} else if err != nil {
			return nil, err
		}
		return &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: sess.AccountID}, nil
	case strings.HasPrefix(token, staffSessionPrefix):
		sess, err := s.store.StaffSession(ctx, tokenHash(token), s.clock())
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			return nil, unauthorized
		} else if err != nil {
			return nil, err
		}
		return s.keyPrincipal(ctx, sess.KeyHash)
	case strings.HasPrefix(token, apiKeyPrefix):
		return s.keyPrincipal(ctx, tokenHash(token))
	case strings.HasPrefix(token, OfficialPrefix):
		return s.officialPrincipal(ctx, token)
	}
	return nil, unauthorized
}

// officialPrincipal is the official whose live session token is: read
// with the account on every request, so that disabling the account stops
// it at once on every server.
func (s *Sessions) officialPrincipal(ctx context.Context, token string) (*healthcode.Principal, error) {
	unauthorized := healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in again: the token is unknown or expired.")
	sess, err := s.store.OfficialSession(ctx, TokenHash(token), s.clock())
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	o, err := s.store.Official(ctx, sess.OfficialID)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && o.Disabled()) {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	return o.Principal(), nil
}

// keyPrincipal is the principal of the API key with the given hash. It
// reads the key on every request, so that a key revoked or expired stops
// working at once on every server, with the staff sessions opened with it.
func (s *Sessions) keyPrincipal(ctx context.Context, keyHash []byte) (*healthcode.Principal, error) {
	k, err := s.store.APIKey(ctx, keyHash)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && k.State(s.clock()) != healthcode.KeyActive) {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in again: the token is unknown or expired.")
	} else if err != nil {
		return nil, err
	}
	return &healthcode.Principal{Role: k.Role, KeyID: k.ID, Name: k.Name, Region: k.Region, Kinds: k.Kinds}, nil
}

// tokenHash is unkeyed: tokens carry 256 random bits, so a hash suffices to
// make a stolen database useless for logging in.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// TokenHash is how every bearer token is stored: officials' sessions too.
func TokenHash(token string) []byte { return tokenHash(token) }

// NewToken returns a new bearer token of 256 random bits after prefix,
// and its hash to store.
func NewToken(prefix string) (token string, hash []byte) {
	token = prefix + randomToken()
	return token, tokenHash(token)
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
