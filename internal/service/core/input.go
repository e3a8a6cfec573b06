package core

import (
	"strings"

	"healthcode"
)

// CheckRegion returns region without surrounding space, adding to p the
// reason it is not a region code, if any.
func CheckRegion(region string, p *healthcode.Problems) string {
	region = strings.TrimSpace(region)
	if reason := healthcode.ValidateRegion(region); reason != "" {
		p.Add("region", reason)
	}
	return region
}

// Invalid is the EINVALID error naming one bad field.
func Invalid(field, reason string) error {
	var p healthcode.Problems
	p.Add(field, reason)
	return p.Err()
}
