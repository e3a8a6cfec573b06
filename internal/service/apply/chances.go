package apply

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// modificationLeft refuses a modification past the region's limit.
func (s *Applications) modificationLeft(p *healthcode.Person, now time.Time) error {
	if s.modificationsLeft(p, now) > 0 {
		return nil
	}
	set := s.policies.For(p.Region).Settings()
	e := healthcode.Errorf(healthcode.ELIMIT, "No modification left in this region; the limit is %d.", set.ModifyLimit)
	if set.ModifyPerDay {
		e = healthcode.Errorf(healthcode.ELIMIT, "No modification left today; the limit is %d a day.", set.ModifyLimit)
		y, m, d := now.In(policy.ChinaTime).Date()
		e.RetryAfter = time.Date(y, m, d+1, 0, 0, 0, 0, policy.ChinaTime).Sub(now) // tomorrow, China time
	}
	return e
}

// modificationsLeft counts the chances a person still has now.
func (s *Applications) modificationsLeft(p *healthcode.Person, now time.Time) int {
	set := s.policies.For(p.Region).Settings()
	if !set.ModifyPerDay {
		return set.ModifyLimit - p.Modified
	}
	if p.ModifiedOn != now.In(policy.ChinaTime).Format("2006-01-02") {
		return set.ModifyLimit
	}
	return set.ModifyLimit - p.ModifiedThatDay
}

// proxyStillAllowed refuses to move a relative registered on the login's
// phone into a region that would not let the login register them.
func (s *Applications) proxyStillAllowed(ctx context.Context, who *healthcode.Principal, p *healthcode.Person,
	set policy.Settings, now time.Time) error {
	acct, err := s.store.Account(ctx, who.AccountID)
	if err != nil {
		return err
	}
	if !bytes.Equal(p.PhoneHash, acct.PhoneHash) {
		return nil // a phone of their own: they consented already
	}
	number, err := s.box.Open(core.PurposeID, p.IDSealed)
	if err != nil {
		return fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	var problems healthcode.Problems
	if proxyAllowed(checkedIdentity{docType: p.DocType, number: number}, set, now, &problems); len(problems) > 0 {
		return core.Invalid("region", "this region does not register this relative on your phone: give them their own phone first")
	}
	return nil
}
