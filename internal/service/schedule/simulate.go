package schedule

import (
	"context"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
	"healthcode/internal/simulate"
	"healthcode/policy"
)

// SimulateInput names a candidate pack: a shipped name, or a whole pack
// file in YAML.
type SimulateInput struct {
	Pack string    `json:"pack,omitempty"`
	YAML string    `json:"yaml,omitempty"`
	At   time.Time `json:"at,omitzero"` // zero: now
	All  bool      `json:"all,omitempty"`
}

// Simulate evaluates a candidate pack over everyone stored, writing
// nothing, and reports who would change colour. Admins only, for packs
// whose every region lies within the key's. Errors: EINVALID for a missing
// or broken pack, with its FILE:LINE problems; EFORBIDDEN for anyone but
// an admin, or a pack for a region outside the key's.
func (s *Scheduler) Simulate(ctx context.Context, who *healthcode.Principal, in SimulateInput,
	progress func(done int)) (*simulate.Report, error) {
	if !permission.Can(who, permission.SimulatePolicy, "") {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Simulating a policy needs an admin key.")
	}
	candidate, err := s.candidateFor(who, in)
	if err != nil {
		return nil, err
	}
	at := in.At
	if at.IsZero() {
		at = s.core.Clock()
	}
	return s.SimulatePack(ctx, candidate, at, in.All, progress)
}

// SimulatePack is Simulate for the command line, which has no principal.
func (s *Scheduler) SimulatePack(ctx context.Context, candidate *policy.Pack, at time.Time, all bool,
	progress func(done int)) (*simulate.Report, error) {
	start := time.Now()
	r, err := simulate.Run(ctx, s.store, s.policies.For, candidate, at, simulate.Options{All: all, Progress: progress})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "policy simulated", "pack", r.Pack, "persons", r.Persons, "changed", r.Changed,
		"took", time.Since(start))
	return r, nil
}

func candidatePack(in SimulateInput) (*policy.Pack, error) {
	switch {
	case in.YAML != "":
		p, err := policy.Parse("yaml", []byte(in.YAML))
		if err != nil {
			var problems healthcode.Problems
			for _, line := range strings.Split(err.Error(), "\n") {
				problems.Add("yaml", line)
			}
			return nil, problems.Err()
		}
		return p, nil
	case in.Pack != "":
		p, err := policy.LoadShipped(in.Pack)
		if err != nil {
			return nil, core.Invalid("pack", "no shipped pack of that name; send the pack itself in yaml")
		}
		return p, nil
	}
	return nil, core.Invalid("pack", "name a shipped pack, or send one in yaml")
}
