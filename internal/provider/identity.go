package provider

import (
	"context"
	"fmt"
	"log/slog"

	"healthcode"
)

// IdentityService is the real-name check over HTTP (docs/providers.md).
type IdentityService struct {
	Client *Client
	Log    *slog.Logger
}

type identityRequest struct {
	DocType   healthcode.DocType `json:"doc_type"`
	DocNumber string             `json:"doc_number"`
	Name      string             `json:"name"`
	Phone     string             `json:"phone"`                    // empty: no phone of their own
	Guardian  string             `json:"guardian_phone,omitempty"` // with phone empty: the login registering them
}

type identityAnswer struct {
	Match *bool `json:"match"`
}

// CheckIdentity implements healthcode.IdentityChecker.
func (s *IdentityService) CheckIdentity(ctx context.Context, c healthcode.IdentityClaim) error {
	var ans identityAnswer
	err := s.Client.Post(ctx, identityRequest{DocType: c.DocType, DocNumber: c.Number, Name: c.Name, Phone: c.Phone,
		Guardian: c.Guardian}, &ans)
	if err == nil && ans.Match == nil {
		err = fmt.Errorf("%w: the answer has no \"match\"", errPermanent)
	}
	if err != nil {
		// The error names the provider's address and status, never the identity.
		s.Log.ErrorContext(ctx, "real-name check unavailable", "err", err)
		return healthcode.ErrIdentityUnavailable
	}
	if !*ans.Match {
		return healthcode.ErrIdentityMismatch
	}
	return nil
}

// AcceptAnyone is the development checker: every identity passes. Only
// --dev servers use it, and they say so when they start.
type AcceptAnyone struct{}

// CheckIdentity implements healthcode.IdentityChecker.
func (AcceptAnyone) CheckIdentity(context.Context, healthcode.IdentityClaim) error { return nil }
