package checkpoint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"healthcode"
	"healthcode/internal/service/core"
)

// ForeignLink is the outcome of linking another region's code to a person
// here: the region, the colour it assigned, whether that lifts its lock,
// and the person's colour here afterwards.
type ForeignLink struct {
	Region     string             `json:"region"`
	RegionName string             `json:"region_name"`
	Color      healthcode.Color   `json:"color"`  // the issuing region's live colour
	Lifted     bool               `json:"lifted"` // green there: its lock here ends
	Status     *healthcode.Status `json:"status"` // the person's status here now
}

// codeRef is what a foreign_code fact keeps of the code id: a digest bound
// to the region, never the id.
func codeRef(region string, codeID []byte) string {
	sum := sha256.Sum256(append([]byte("healthcode foreign code\x00"+region+"\x00"), codeID...))
	return hex.EncodeToString(sum[:12])
}

// LinkForeignCode records the colour another region assigned to a person
// the caller manages, from that region's code (seed 003: the issuing
// region's authority). The token is verified against the trust list and
// its live colour read from the issuing region; a region that cannot be
// reached is refused (a colour on a code may be stale), as is a code whose
// masked name is not the person's, and, once a region's code is linked to
// a person, any other code of that region: another person's green code
// cannot lift someone's lock. The fact lands through the core, so the
// history and the public log record any colour change. Citizens only.
// Errors: EINVALID (token), ENOTFOUND, ECONFLICT (another code, another
// name), EUNAVAILABLE (issuer unreachable, no trust list).
func (s *Checkpoint) LinkForeignCode(ctx context.Context, who *healthcode.Principal, id int64, token string) (*ForeignLink, error) {
	if token == "" {
		return nil, core.Invalid("token", "is required: the text of the other region's code")
	}
	if _, err := s.core.Owned(ctx, who, id); err != nil {
		return nil, err
	}
	if s.foreign == nil {
		return nil, healthcode.Errorf(healthcode.EUNAVAILABLE, "This server has no trust list: it cannot check other regions' codes.")
	}
	now := s.core.Clock()
	r, err := s.foreign.Check(ctx, token, now, s.core.Clock)
	if err != nil {
		return nil, err
	}
	if r.Reason != "" {
		return nil, core.Invalid("token", "is not a valid code of a region this server trusts")
	}
	if r.Live == nil {
		return nil, healthcode.Errorf(healthcode.EUNAVAILABLE, "Region %s could not be reached to confirm the colour; try again later.", r.Region.Name)
	}
	if !r.Live.Valid {
		return nil, core.Invalid("token", "is not a code its region still knows")
	}
	ref := codeRef(r.Region.Region, r.Claims.CodeID[:])
	link := &ForeignLink{Region: r.Region.Region, RegionName: r.Region.Name, Color: r.Live.Color,
		Lifted: r.Live.Color == healthcode.Green}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := core.LockOwned(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if r.Live.Name != p.NameMasked {
			return healthcode.Errorf(healthcode.ECONFLICT, "The code of region %s is not this person's: the names differ.", r.Region.Name)
		}
		// A masked name such as 王*明 is shared by many: the document's
		// last four characters, which the issuer also answers, must agree
		// too, or a namesake's green code could be bound first.
		if r.Live.IDTail != p.IDTail {
			return healthcode.Errorf(healthcode.ECONFLICT, "The code of region %s is not this person's: the identity documents differ.", r.Region.Name)
		}
		facts, err := tx.Facts(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, f := range facts {
			if f.ForeignCode != nil && f.ForeignCode.Region == r.Region.Region && f.ForeignCode.CodeRef != "" {
				if f.ForeignCode.CodeRef != ref {
					return healthcode.Errorf(healthcode.ECONFLICT,
						"This person already linked another code of region %s; only that code can change the colour it assigned.", r.Region.Name)
				}
				break // the first link binds
			}
		}
		f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactForeignCode, At: now, RecordedAt: now,
			Source: "region " + r.Region.Region, Author: who.Author(),
			ForeignCode: &healthcode.ForeignCodeFact{Region: r.Region.Region, Color: r.Live.Color,
				Lifted: link.Lifted, CodeRef: ref}}
		if err := tx.AddFact(ctx, f); err != nil {
			return err
		}
		link.Status, err = s.core.Evaluate(ctx, tx, p, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "foreign code linked", "person", id, "region", link.Region, "color", link.Color, "lifted", link.Lifted)
	return link, nil
}
