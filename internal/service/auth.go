package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/policy"
)

// One-time code rules: short-lived, few guesses, and no resend storm.
const (
	otpTTL         = 5 * time.Minute
	otpResendAfter = 30 * time.Second
	otpMaxAttempts = 5
	// otpLockout is how long a phone waits for a new code after using up a
	// code's guesses: 5 guesses per 15 minutes makes guessing a 6-digit
	// code hopeless (about 0.05 % a day).
	otpLockout = 15 * time.Minute
)

// Bearer token prefixes tell sessions from API keys at a glance, in logs
// and in secret scanners.
const (
	sessionPrefix      = "hcs_"
	staffSessionPrefix = "hcw_" // w: a workstation's, opened with a key
	apiKeyPrefix       = "hck_"
)

// staffSessionTTL bounds a staff login: a shift.
const staffSessionTTL = 12 * time.Hour

// OTPResult is what RequestOTP returns.
type OTPResult struct {
	ExpiresAt time.Time `json:"expires_at"`
	// DevCode is the code itself, only when the server runs with --dev.
	DevCode string `json:"dev_code,omitempty"`
}

// RequestOTP sends a one-time login code to phone. Anyone may call it.
// Errors: EINVALID for a bad phone, ELIMIT when asked again too soon.
func (s *Service) RequestOTP(ctx context.Context, phone string) (*OTPResult, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, invalid("phone", err.Error())
	}
	if err := s.limit(ctx, healthcode.LimitOTP, healthcode.ScopePhone, phone); err != nil {
		return nil, err
	}
	now := s.clock()
	phoneHash := s.box.Hash(purposePhone, phone)
	code := otpCode()
	o := &healthcode.OTP{PhoneHash: phoneHash, CodeHash: s.otpHash(phone, code), SentAt: now, ExpiresAt: now.Add(otpTTL)}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		prev, err := tx.OTP(ctx, phoneHash)
		switch {
		case err == nil && prev.Attempts >= otpMaxAttempts && now.Sub(prev.SentAt) < otpLockout:
			return healthcode.Errorf(healthcode.ELIMIT, "Too many wrong codes; ask for a new one after %s.",
				prev.SentAt.Add(otpLockout).In(policy.ChinaTime).Format("15:04"))
		case err == nil && now.Sub(prev.SentAt) < otpResendAfter:
			wait := otpResendAfter - now.Sub(prev.SentAt)
			return healthcode.Errorf(healthcode.ELIMIT, "A code was sent moments ago; ask again in %d seconds.", int(wait.Seconds())+1)
		case err != nil && healthcode.ErrorCode(err) != healthcode.ENOTFOUND:
			return err
		}
		return tx.PutOTP(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	if err := s.sender.SendOTP(ctx, phone, code); err != nil {
		return nil, fmt.Errorf("send one-time code: %w", err)
	}
	res := &OTPResult{ExpiresAt: o.ExpiresAt}
	if s.cfg.Dev {
		res.DevCode = code
	}
	return res, nil
}

// LoginResult is a new session.
type LoginResult struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login exchanges a phone and its one-time code for a session, creating the
// citizen's account on first login. Errors: EINVALID for bad input,
// EUNAUTHORIZED for a wrong, expired or exhausted code.
func (s *Service) Login(ctx context.Context, phone, code string) (*LoginResult, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, invalid("phone", err.Error())
	}
	if err := s.limit(ctx, healthcode.LimitLogin, healthcode.ScopePhone, phone); err != nil {
		return nil, err
	}
	now := s.clock()
	phoneHash := s.box.Hash(purposePhone, phone)
	token := sessionPrefix + randomToken()
	res := &LoginResult{Token: token, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	var wrong bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		o, err := tx.OTP(ctx, phoneHash)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && !now.Before(o.ExpiresAt)) {
			return healthcode.Errorf(healthcode.EUNAUTHORIZED, "No valid code for this phone; ask for a new one.")
		} else if err != nil {
			return err
		}
		if o.Attempts >= otpMaxAttempts {
			return healthcode.Errorf(healthcode.EUNAUTHORIZED, "Too many wrong codes; ask for a new one.")
		}
		if subtle.ConstantTimeCompare(o.CodeHash, s.otpHash(phone, strings.TrimSpace(code))) != 1 {
			// The spent code stays, attempts counted, so that its send
			// time still holds back the next SMS.
			o.Attempts++
			wrong = true
			return tx.PutOTP(ctx, o)
		}
		if err := tx.DeleteOTP(ctx, phoneHash); err != nil {
			return err
		}
		acct, err := tx.AccountByPhone(ctx, phoneHash)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			acct = &healthcode.Account{PhoneHash: phoneHash, PhoneSealed: s.box.Seal(purposePhone, phone), CreatedAt: now}
			err = tx.CreateAccount(ctx, acct)
		}
		if err != nil {
			return err
		}
		return tx.CreateSession(ctx, &healthcode.Session{TokenHash: tokenHash(token), AccountID: acct.ID, CreatedAt: now, ExpiresAt: res.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	if wrong {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Wrong code.")
	}
	return res, nil
}

// Logout ends a citizen's session: the token stops working at once, on
// every server. Anyone may call it with a token they hold; an unknown
// token is not an error, so logging out twice is harmless.
func (s *Service) Logout(ctx context.Context, token string) error {
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
func (s *Service) StaffLogin(ctx context.Context, key string) (*LoginResult, *healthcode.Principal, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Not a device key (hck_…).")
	}
	who, err := s.Authenticate(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if who.Role != healthcode.RoleCheckpoint && who.Role != healthcode.RoleAdmin {
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
func (s *Service) Authenticate(ctx context.Context, token string) (*healthcode.Principal, error) {
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
	}
	return nil, unauthorized
}

// keyPrincipal is the principal of the API key with the given hash.
func (s *Service) keyPrincipal(ctx context.Context, keyHash []byte) (*healthcode.Principal, error) {
	k, err := s.store.APIKey(ctx, keyHash)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && !k.RevokedAt.IsZero()) {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in again: the token is unknown or expired.")
	} else if err != nil {
		return nil, err
	}
	return &healthcode.Principal{Role: k.Role, KeyID: k.ID, Name: k.Name, Region: k.Region, Kinds: k.Kinds}, nil
}

// CreateAPIKey makes a key for a device or a feed and returns its secret,
// shown once. Operators call it from the command line.
func (s *Service) CreateAPIKey(ctx context.Context, name string, role healthcode.Role, region string) (string, *healthcode.APIKey, error) {
	var problems healthcode.Problems
	if role != healthcode.RoleCheckpoint && role != healthcode.RoleAdmin {
		problems.Add("role", "must be checkpoint or admin")
	}
	return s.createKey(ctx, problems, name, role, region, nil)
}

// createKey checks what every key needs, reporting it with the caller's
// own problems, and stores the key.
func (s *Service) createKey(ctx context.Context, problems healthcode.Problems, name string, role healthcode.Role,
	region string, kinds []string) (string, *healthcode.APIKey, error) {
	if strings.TrimSpace(name) == "" {
		problems.Add("name", "is required")
	}
	if reason := healthcode.ValidateRegion(region); reason != "" {
		problems.Add("region", reason)
	}
	if err := problems.Err(); err != nil {
		return "", nil, err
	}
	secret := apiKeyPrefix + randomToken()
	k := &healthcode.APIKey{Hash: tokenHash(secret), Name: strings.TrimSpace(name), Role: role, Region: region,
		Kinds: kinds, CreatedAt: s.clock()}
	if err := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) }); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

func (s *Service) otpHash(phone, code string) []byte { return s.box.Hash("otp", phone+":"+code) }

// tokenHash is unkeyed: tokens carry 256 random bits, so a hash suffices to
// make a stolen database useless for logging in.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func otpCode() string {
	v, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", v.Int64())
}
