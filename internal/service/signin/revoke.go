package signin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/policy"
)

// RevokeAPIKey revokes the key named by ref, its ID or its name, and
// returns it: it stops working at once on every server, and so do the
// staff sessions opened with it. Operators call it from the command line.
// Errors: ENOTFOUND when no key has that ID or name; ECONFLICT when
// several keys not yet revoked match (listed, to choose one by ID) or the
// only ones that match were revoked already.
func (s *KeyRegistry) RevokeAPIKey(ctx context.Context, ref string) (*healthcode.APIKey, error) {
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
		return tx.AppendLog(ctx, healthcode.LogOfKey(healthcode.LogKeyRevoked, &k, healthcode.LogAuthorOf(permission.Operator()), now))
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
