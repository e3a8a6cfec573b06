package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
	"healthcode/policy"
)

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
func (s *Service) CreateKey(ctx context.Context, who *healthcode.Principal, spec KeySpec) (string, *healthcode.APIKey, error) {
	now := s.clock()
	var problems healthcode.Problems
	if strings.TrimSpace(spec.Name) == "" {
		problems.Add("name", "is required")
	}
	if reason := healthcode.ValidateRegion(spec.Region); reason != "" {
		problems.Add("region", reason)
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
	if err := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) }); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

func kindProblems(problems *healthcode.Problems, kinds []string) {
	if len(kinds) == 0 {
		problems.Add("kinds", "name at least one feed kind: "+strings.Join(ingest.Kinds(), ", "))
	}
	for _, k := range kinds {
		if !slices.Contains(ingest.Kinds(), k) {
			problems.Add("kinds", fmt.Sprintf("unknown feed kind %q; known: %s", k, strings.Join(ingest.Kinds(), ", ")))
		}
	}
}

// CreateAPIKey is CreateKey by the operator for a key that never expires
// and sends no feeds: a checkpoint's or an admin's.
func (s *Service) CreateAPIKey(ctx context.Context, name string, role healthcode.Role, region string) (string, *healthcode.APIKey, error) {
	return s.CreateKey(ctx, permission.Operator(), KeySpec{Name: name, Role: role, Region: region})
}

// CreateFeedKey is CreateKey by the operator for a data provider's key
// that never expires, allowed the given feed kinds.
func (s *Service) CreateFeedKey(ctx context.Context, name, region string, kinds []string) (string, *healthcode.APIKey, error) {
	return s.CreateKey(ctx, permission.Operator(), KeySpec{Name: name, Role: healthcode.RoleFeed, Region: region, Kinds: kinds})
}

// APIKeys lists every key, revoked and expired ones too, in the order they
// were made; never their secrets, which are not stored. Operators call it
// from the command line.
func (s *Service) APIKeys(ctx context.Context) ([]healthcode.APIKey, error) {
	return s.store.APIKeys(ctx)
}

// RevokeAPIKey revokes the key named by ref, its ID or its name, and
// returns it: it stops working at once on every server, and so do the
// staff sessions opened with it. Operators call it from the command line.
// Errors: ENOTFOUND when no key has that ID or name; ECONFLICT when
// several keys not yet revoked match (listed, to choose one by ID) or the
// only ones that match were revoked already.
func (s *Service) RevokeAPIKey(ctx context.Context, ref string) (*healthcode.APIKey, error) {
	ref = strings.TrimSpace(ref)
	now := s.clock()
	var revoked *healthcode.APIKey
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		keys, err := tx.APIKeys(ctx)
		if err != nil {
			return err
		}
		k, err := pickKey(keys, ref)
		if err != nil {
			return err
		}
		if err := tx.RevokeAPIKey(ctx, k.ID, now); err != nil {
			return err
		}
		k.RevokedAt, revoked = now, &k
		return nil
	})
	return revoked, err
}

// pickKey finds the one key not yet revoked whose ID or name is ref.
func pickKey(keys []healthcode.APIKey, ref string) (healthcode.APIKey, error) {
	var live, dead []healthcode.APIKey
	for _, k := range keys {
		if strconv.FormatInt(k.ID, 10) != ref && k.Name != ref {
			continue
		}
		if k.RevokedAt.IsZero() {
			live = append(live, k)
		} else {
			dead = append(dead, k)
		}
	}
	switch {
	case len(live) == 1:
		return live[0], nil
	case len(live) > 1:
		return healthcode.APIKey{}, healthcode.Errorf(healthcode.ECONFLICT,
			"%d keys match %q: %s; revoke one by its ID.", len(live), ref, describeKeys(live))
	case len(dead) > 0:
		return healthcode.APIKey{}, healthcode.Errorf(healthcode.ECONFLICT,
			"Nothing to revoke: %s was revoked already.", describeKeys(dead))
	}
	return healthcode.APIKey{}, healthcode.Errorf(healthcode.ENOTFOUND, "No key has the ID or name %q.", ref)
}

// describeKeys names keys for an operator choosing among them.
func describeKeys(keys []healthcode.APIKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("key %d %q (%s, region %s, created %s", k.ID, k.Name, k.Role, k.Region, chinaTime(k.CreatedAt))
		if !k.RevokedAt.IsZero() {
			parts[i] += ", revoked " + chinaTime(k.RevokedAt)
		}
		parts[i] += ")"
	}
	return strings.Join(parts, ", ")
}

func chinaTime(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02 15:04 -07:00") }
