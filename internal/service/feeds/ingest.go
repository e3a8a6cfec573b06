package feeds

import (
	"context"
	"slices"
	"strings"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
)

// IngestResult counts what a feed batch did.
type IngestResult struct {
	Rows       int `json:"rows"`       // rows offered
	Added      int `json:"added"`      // new facts about persons who have applied
	Pending    int `json:"pending"`    // kept for persons who have not applied yet
	Duplicates int `json:"duplicates"` // already received from this source: nothing changed
	Stays      int `json:"stays"`      // area stays made of trips by the designations of their areas
	Recoloured int `json:"recoloured"` // persons whose colour changed
	// Refused are the rows of the batch rejected for whom they are
	// about: a person outside the feed key's region. IngestStream hands
	// them to its Rejected with the decoder's; Add does not sum them.
	Refused []ingest.Rejection `json:"-"`
}

// Add sums results.
func (r *IngestResult) Add(o IngestResult) {
	r.Rows, r.Added, r.Pending = r.Rows+o.Rows, r.Added+o.Added, r.Pending+o.Pending
	r.Duplicates, r.Stays, r.Recoloured = r.Duplicates+o.Duplicates, r.Stays+o.Stays, r.Recoloured+o.Recoloured
}

// Ingest stores a batch of feed rows from a feed key and re-evaluates the
// persons they concern, all in one transaction: the batch and its colours
// land together or not at all. Errors as FeedAllowed.
//
// A feed key keeps to its region: a row about a person whose declared
// region is outside the key's is rejected, and the others land. A row
// about someone who has not applied yet names an identity, not a region,
// so it is kept pending with the key's region and attached only if the
// person, applying, declares a region within it (TakePendingFacts):
// otherwise a key could colour anyone by sending before they apply.
func (s *Feeds) Ingest(ctx context.Context, who *healthcode.Principal, kind string, rows []ingest.Row) (IngestResult, error) {
	if err := s.FeedAllowed(who, kind); err != nil {
		return IngestResult{Rows: len(rows)}, err
	}
	return s.ingest(ctx, who.Name, who.Author(), who.Region, rows)
}

// FeedAllowed says whether the caller may send feeds of kind. Errors:
// EFORBIDDEN for anyone but a feed key of a valid region; ENOTFOUND, to a
// feed key, for a kind there is no feed of; EFORBIDDEN for a kind the key
// is not allowed.
func (s *Feeds) FeedAllowed(who *healthcode.Principal, kind string) error {
	if !permission.Can(who, permission.SendFeeds, "") {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Feeds need a feed key.")
	}
	// The key's region keeps its rows to persons within it, and ingest
	// reads "" as anywhere (the operator's): a key stored without a valid
	// region covers none, so it sends nothing rather than everywhere. Can
	// reads "" as "no region in question", so it cannot be asked this.
	if healthcode.ValidateRegion(who.Region) != "" {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "This feed key acts for no region (%q); ask the operator for a key of your region.", who.Region)
	}
	if !slices.Contains(ingest.Kinds(), kind) {
		return healthcode.Errorf(healthcode.ENOTFOUND, "No feed kind %q: the kinds are %s.", kind, strings.Join(ingest.Kinds(), ", "))
	}
	if !slices.Contains(who.Kinds, kind) {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "This key may not send %s feeds; it may send %s.", kind, strings.Join(who.Kinds, ", "))
	}
	return nil
}

// IngestAs is Ingest for the operator's command line: source names the
// provider, so that re-sending its records is recognised whichever way
// they come.
func (s *Feeds) IngestAs(ctx context.Context, source, author string, rows []ingest.Row) (IngestResult, error) {
	return s.ingest(ctx, source, author, "", rows)
}

// ingest stores rows about persons within region ("" for anywhere).
func (s *Feeds) ingest(ctx context.Context, source, author, region string, rows []ingest.Row) (IngestResult, error) {
	res := IngestResult{Rows: len(rows)}
	if len(rows) == 0 {
		return res, nil
	}
	now := s.core.Clock()
	hashes := make([][]byte, len(rows))
	for i := range rows {
		hashes[i] = core.IDKey(s.box, rows[i].DocType, rows[i].Number)
	}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		// Lock before inserting, all at once and in id order: the
		// person's evaluation must see every fact committed before it, and
		// batches sharing persons then queue instead of deadlocking.
		locked, err := tx.LockByIdentity(ctx, hashes)
		if err != nil {
			return err
		}
		byHash := make(map[string]*healthcode.Person, len(locked))
		for _, p := range locked {
			byHash[string(p.IDHash)] = p
		}
		outside, err := outsideRegion(ctx, tx, locked, region, now)
		if err != nil {
			return err
		}
		var known []*healthcode.Fact
		var pending []*healthcode.Fact
		var pendingHashes [][]byte
		for i := range rows {
			f := rows[i].Fact // a copy: the caller's rows stay as they were
			f.RecordedAt, f.Source, f.SourceRef, f.Author = now, source, rows[i].SourceRef, author
			p, ok := byHash[string(hashes[i])]
			switch {
			case ok && outside[p.ID]:
				res.Refused = append(res.Refused, ingest.Reject(rows[i].Line, "doc_number",
					healthcode.M("the person is outside this key's region %s", region)))
			case ok:
				f.PersonID = p.ID
				known = append(known, &f)
			default:
				pending, pendingHashes = append(pending, &f), append(pendingHashes, hashes[i])
			}
		}
		stays, err := core.DesignatedStays(ctx, tx, known, now)
		if err != nil {
			return err
		}
		added, recoloured, err := s.core.AddFacts(ctx, tx, locked, append(known, stays...), now)
		if err != nil {
			return err
		}
		res.Recoloured = recoloured
		if res.Pending, err = tx.AddPendingFacts(ctx, pendingHashes, pending, healthcode.RegionPrefix(region)); err != nil {
			return err
		}
		made := make(map[*healthcode.Fact]bool, len(stays))
		for _, f := range stays {
			made[f] = true
		}
		for _, f := range added {
			if made[f] {
				res.Stays++
			}
		}
		res.Added = len(added) - res.Stays
		res.Duplicates = len(rows) - res.Added - res.Pending - len(res.Refused)
		return nil
	})
	if err != nil {
		return IngestResult{Rows: len(rows)}, err
	}
	return res, nil
}
