package core

import (
	"strings"

	"healthcode"
)

// CheckRegion returns region without surrounding space, adding to p the
// reason it is not a region code, if any.
func CheckRegion(region string, p *healthcode.Problems) string {
	region = strings.TrimSpace(region)
	if err := healthcode.RegionProblem(region); err != nil {
		p.AddErr("region", err)
	}
	return region
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
