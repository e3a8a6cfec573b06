package apply

import (
	"context"
	"fmt"
	"slices"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// PersonView is what a citizen sees of a person they manage: masked
// identity, never the numbers in clear.
type PersonView struct {
	ID                int64               `json:"id"`
	Relation          healthcode.Relation `json:"relation"`
	DocType           healthcode.DocType  `json:"doc_type"`
	Name              string              `json:"name"`    // masked
	IDTail            string              `json:"id_tail"` // last four characters
	Region            string              `json:"region"`
	Community         string              `json:"community,omitempty"`
	Status            *healthcode.Status  `json:"status"`
	ModificationsLeft int                 `json:"modifications_left"`
	CanReapply        bool                `json:"can_reapply"`
	// Credit lists the false declarations found about the person (SPEC
	// B7), which they may read and dispute; only Person fills it in.
	Credit []healthcode.CreditRecord `json:"credit,omitempty"`
}

func (s *Applications) view(p *healthcode.Person, st *healthcode.Status) *PersonView {
	if st == nil {
		st = p.Status
	}
	return &PersonView{
		ID: p.ID, Relation: p.Relation, DocType: p.DocType, Name: p.NameMasked, IDTail: p.IDTail,
		Region: p.Region, Community: p.Community, Status: inChinaTime(st), ModificationsLeft: max(0, s.modificationsLeft(p, s.core.Clock())),
		CanReapply: !p.Reapplied,
	}
}

// LoginPhone is the phone the caller logged in with, so that their own
// application need not ask for it again. Errors: EUNAUTHORIZED or
// EFORBIDDEN for anyone but a citizen.
func (s *Applications) LoginPhone(ctx context.Context, who *healthcode.Principal) (string, error) {
	if err := core.RequireCitizen(who); err != nil {
		return "", err
	}
	acct, err := s.store.Account(ctx, who.AccountID)
	if err != nil {
		return "", err
	}
	phone, err := s.box.Open(core.PurposePhone, acct.PhoneSealed)
	if err != nil {
		return "", fmt.Errorf("open the login's phone: %w", err)
	}
	return phone, nil
}

// Persons lists the persons the caller manages, themself first.
func (s *Applications) Persons(ctx context.Context, who *healthcode.Principal) ([]*PersonView, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	ps, err := s.store.PersonsByOwner(ctx, who.AccountID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	views := make([]*PersonView, 0, len(ps))
	for _, p := range ps {
		if p, err = s.core.Current(ctx, p, now); err != nil {
			return nil, err
		}
		views = append(views, s.view(p, nil))
	}
	return views, nil
}

// Person returns one person the caller manages, with a current status.
// Errors: ENOTFOUND for anyone else's person.
func (s *Applications) Person(ctx context.Context, who *healthcode.Principal, id int64) (*PersonView, error) {
	p, err := s.core.Owned(ctx, who, id)
	if err != nil {
		return nil, err
	}
	v := s.view(p, nil)
	if v.Credit, err = s.store.CreditRecords(ctx, id); err != nil {
		return nil, err
	}
	return v, nil
}

// Status returns the current status of a person the caller manages.
func (s *Applications) Status(ctx context.Context, who *healthcode.Principal, id int64) (*healthcode.Status, error) {
	p, err := s.core.Owned(ctx, who, id)
	if err != nil {
		return nil, err
	}
	return inChinaTime(p.Status), nil
}

// inChinaTime is st with the times of its needs in China time, the offset
// of every time a citizen reads: a store may give times back in its own
// zone, and statuses decided before policies wrote China time are read the
// same as new ones. st itself is not changed.
func inChinaTime(st *healthcode.Status) *healthcode.Status {
	if st == nil || len(st.Needs) == 0 {
		return st
	}
	c := *st
	c.Needs = slices.Clone(st.Needs)
	for i := range c.Needs {
		if u := &c.Needs[i].Until; !u.IsZero() {
			*u = u.In(policy.ChinaTime)
		}
	}
	return &c
}

// History is a person's colour changes with the result of checking their
// hash chain, so a citizen can see their record is whole.
type History struct {
	Entries  []HistoryEntry `json:"entries"`
	Verified bool           `json:"verified"`
	Problem  string         `json:"problem,omitempty"`
	// LogHead is the public log's signed head the entries' proofs are
	// against; InLog says every entry is in it, checked here (the owner
	// can check again with the proofs and the log's key: docs/log.md).
	// An entry made within the last second may not be in a head yet.
	LogHead string `json:"log_head,omitempty"`
	InLog   bool   `json:"in_log"`
}

// HistoryEntry is one colour change with its rule in plain words, and its
// place in the public log once a head covers it.
type HistoryEntry struct {
	healthcode.HistoryEntry
	Title healthcode.Text      `json:"title"` // the rule as people read it (policy.Title)
	Log   *publiclog.Inclusion `json:"log,omitempty"`
}

// History returns the colour history of a person the caller manages.
func (s *Applications) History(ctx context.Context, who *healthcode.Principal, id int64) (*History, error) {
	p, err := s.core.Owned(ctx, who, id)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.History(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	h := &History{Entries: make([]HistoryEntry, len(hs)), Verified: true}
	for i, e := range hs {
		h.Entries[i] = HistoryEntry{HistoryEntry: e, Title: policy.Title(s.policies, p.Region, e.Rule)}
	}
	var head []byte
	if p.Status != nil {
		head = p.Status.HeadHash
	}
	if err := healthcode.VerifyChain(hs, head); err != nil {
		h.Verified, h.Problem = false, err.Error()
		s.log.ErrorContext(ctx, "history chain broken", "person", p.ID, "err", err)
	}
	return h, s.inLog(ctx, h)
}

// inLog gives each entry its inclusion in the public log's latest head.
func (s *Applications) inLog(ctx context.Context, h *History) error {
	entries := make([]*healthcode.HistoryEntry, len(h.Entries))
	for i := range h.Entries {
		entries[i] = &h.Entries[i].HistoryEntry
	}
	inc, err := s.plog.LogInclusions(ctx, entries)
	if err != nil {
		return err
	}
	if inc.Head == nil {
		return nil
	}
	h.LogHead, h.InLog = string(inc.Head.Note), true
	for i := range h.Entries {
		e := &h.Entries[i]
		if e.Log = inc.ByHash[string(e.Hash)]; e.Log == nil {
			h.InLog = false
		}
	}
	return nil
}
