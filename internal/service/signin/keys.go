package signin

import (
	"context"
	"slices"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
)

// KeyStore is where API keys are kept.
type KeyStore interface {
	APIKeys(ctx context.Context) ([]healthcode.APIKey, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// KeyRegistry makes, lists and revokes the API keys of checkpoint devices,
// operators and data providers; operators call it from the command line.
// Authenticate resolves the keys it makes.
type KeyRegistry struct {
	store KeyStore
	clock func() time.Time
}

// NewKeyRegistry returns a KeyRegistry; clock gives the time at store
// precision.
func NewKeyRegistry(store KeyStore, clock func() time.Time) *KeyRegistry {
	return &KeyRegistry{store: store, clock: clock}
}

// KeySpec describes a key to create.
type KeySpec struct {
	Name   string // recorded as the source of what the key sends
	Role   healthcode.Role
	Region string   // the region the key acts for: a feed key's rows must be about persons within it
	Kinds  []string // the feed kinds a feed key may send
	// ExpiresAt is when the key stops working; zero for never.
	ExpiresAt time.Time
}

// CreateKey makes a key for a checkpoint device, an operator or a data
// provider and returns its secret, shown once. who grants it: only what
// who holds, for a region within who's (permission.CanGrant); the command
// line acts as permission.Operator(). Errors: EINVALID naming every bad
// field, EFORBIDDEN for a key who may not grant.
func (s *KeyRegistry) CreateKey(ctx context.Context, who *healthcode.Principal, spec KeySpec) (string, *healthcode.APIKey, error) {
	now := s.clock()
	var problems healthcode.Problems
	if strings.TrimSpace(spec.Name) == "" {
		problems.Add("name", "is required")
	}
	if err := healthcode.RegionProblem(spec.Region); err != nil {
		problems.AddErr("region", err)
	}
	switch spec.Role {
	case healthcode.RoleFeed:
		kindProblems(&problems, spec.Kinds)
	case healthcode.RoleCheckpoint, healthcode.RoleAdmin:
		if len(spec.Kinds) > 0 {
			problems.Add("kinds", "only feed keys send feeds")
		}
	default:
		problems.Add("role", "must be checkpoint, admin or feed")
	}
	if !spec.ExpiresAt.IsZero() && !spec.ExpiresAt.After(now) {
		problems.Add("expires", "must be in the future")
	}
	if err := problems.Err(); err != nil {
		return "", nil, err
	}
	if !permission.CanGrant(who, spec.Role, spec.Region) {
		return "", nil, healthcode.Errorf(healthcode.EFORBIDDEN, "This principal may not make %s keys for region %s.", spec.Role, spec.Region)
	}
	secret := apiKeyPrefix + randomToken()
	k := &healthcode.APIKey{Hash: tokenHash(secret), Name: strings.TrimSpace(spec.Name), Role: spec.Role,
		Region: spec.Region, Kinds: spec.Kinds, CreatedAt: now, ExpiresAt: spec.ExpiresAt.UTC().Truncate(time.Microsecond)}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfKey(healthcode.LogKeyCreated, k, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

func kindProblems(problems *healthcode.Problems, kinds []string) {
	if len(kinds) == 0 {
		problems.Addf("kinds", "name at least one feed kind: %s", strings.Join(ingest.Kinds(), ", "))
	}
	for _, k := range kinds {
		if !slices.Contains(ingest.Kinds(), k) {
			problems.Addf("kinds", "unknown feed kind %q; known: %s", k, strings.Join(ingest.Kinds(), ", "))
		}
	}
}

// CreateAPIKey is CreateKey by the operator for a key that never expires
// and sends no feeds: a checkpoint's or an admin's.
func (s *KeyRegistry) CreateAPIKey(ctx context.Context, name string, role healthcode.Role, region string) (string, *healthcode.APIKey, error) {
	return s.CreateKey(ctx, permission.Operator(), KeySpec{Name: name, Role: role, Region: region})
}

// CreateFeedKey is CreateKey by the operator for a data provider's key
// that never expires, allowed the given feed kinds.
func (s *KeyRegistry) CreateFeedKey(ctx context.Context, name, region string, kinds []string) (string, *healthcode.APIKey, error) {
	return s.CreateKey(ctx, permission.Operator(), KeySpec{Name: name, Role: healthcode.RoleFeed, Region: region, Kinds: kinds})
}

// APIKeys lists every key, revoked and expired ones too, in the order they
// were made; never their secrets, which are not stored. Operators call it
// from the command line.
func (s *KeyRegistry) APIKeys(ctx context.Context) ([]healthcode.APIKey, error) {
	return s.store.APIKeys(ctx)
}
