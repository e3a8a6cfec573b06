package core

import (
	"strings"

	"healthcode"
	"healthcode/internal/division"
)

// CheckRegion returns region without surrounding space, adding to p the
// reason it is not a region code, if any. A region a person or a venue is
// in must be one of the list people pick from (division), not only shaped
// like one: the root's ValidateRegion checks the shape alone, since feeds,
// keys and policy packs may name a division the embedded list, a release
// behind, does not know yet.
func CheckRegion(region string, p *healthcode.Problems) string {
	region = strings.TrimSpace(region)
	if err := healthcode.RegionProblem(region); err != nil {
		p.AddErr("region", err)
	} else if !division.Valid(region) {
		p.Add("region", "is not a division of GB/T 2260; choose one from the list")
	}
	return region
}

// CheckCommunity returns community without surrounding space, adding to p
// the reason it cannot be the town or village of someone declaring
// region, if any: a division of 9 or 12 digits (ScopeProblem) within the
// region. "" is no community, and fine.
func CheckCommunity(community, region string, p *healthcode.Problems) string {
	community = strings.TrimSpace(community)
	switch {
	case community == "":
	case len(community) == 6:
		p.Add("community", "must be a division code of 6, 9 or 12 digits, e.g. 330106 or 330106001")
	case healthcode.ScopeProblem(community) != nil:
		p.AddErr("community", healthcode.ScopeProblem(community))
	case !healthcode.RegionWithin(community, region):
		p.Addf("community", "must lie in the declared region %s", region)
	}
	return community
}

// Invalid is the EINVALID error naming one bad field.
func Invalid(field, reason string) error {
	var p healthcode.Problems
	p.Add(field, reason)
	return p.Err()
}

// InvalidErr is the EINVALID error naming one bad field, for the reason
// err gives (a *healthcode.Msg keeps it translatable).
func InvalidErr(field string, err error) error {
	var p healthcode.Problems
	p.AddErr(field, err)
	return p.Err()
}
