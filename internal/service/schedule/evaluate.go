package schedule

import (
	"context"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/policy"
)

// EvaluateInput is one person's timeline to try a pack on: the pack (a
// shipped name, or a whole pack file in yaml, YAML or JSON), the facts as
// data (policy.DecodeFact: {kind, at, …the payload's fields}), the
// instant, and the person's region for declarations that name none
// (default: the pack's first region). Times are RFC 3339 or China time
// ("2026-03-01 10:00").
type EvaluateInput struct {
	Pack   string           `json:"pack,omitempty"`
	YAML   string           `json:"yaml,omitempty"`
	Region string           `json:"region,omitempty"`
	Facts  []map[string]any `json:"facts"`
	At     string           `json:"at"`
}

// EvaluateResult is the status the pack gives the timeline at the instant,
// as the engine explains it. Its fact_ids count the facts from 1 in the
// order written, repeats expanded.
type EvaluateResult struct {
	Pack   string            `json:"pack"` // name@version
	At     time.Time         `json:"at"`
	Facts  int               `json:"facts"` // how many, repeats expanded
	Status healthcode.Status `json:"status"`
}

// EvaluatePack evaluates a pack over a timeline given whole, writing
// nothing and reading no person, so that a timeline spanning weeks is
// checked without waiting for the clock; policy test runs the same
// evaluation from files. Admins only, for packs whose every region lies
// within the key's, as Simulate. Errors: EINVALID naming the field (pack,
// yaml, facts[2].result, at, region); EFORBIDDEN as Simulate's.
func (s *Scheduler) EvaluatePack(ctx context.Context, who *healthcode.Principal, in EvaluateInput) (*EvaluateResult, error) {
	if !permission.Can(who, permission.SimulatePolicy, "") {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Evaluating a policy needs an admin key.")
	}
	p, err := s.candidateFor(who, SimulateInput{Pack: in.Pack, YAML: in.YAML})
	if err != nil {
		return nil, err
	}
	var problems healthcode.Problems
	region := in.Region
	if region == "" && len(p.Regions) > 0 {
		region = p.Regions[0]
	}
	if err := healthcode.RegionProblem(region); err != nil {
		problems.AddErr("region", err)
	}
	at, err := policy.ParseTime(in.At)
	if in.At == "" {
		problems.Add("at", "is required: the instant to evaluate at, such as 2026-03-15 10:00 (China time)")
	} else if err != nil {
		problems.AddErr("at", err)
	}
	if in.Facts == nil {
		problems.Add("facts", "is required: a list of facts, [] for none")
	}
	facts, factProblems := policy.DecodeFacts(in.Facts, region)
	problems = append(problems, factProblems...)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	s.log.DebugContext(ctx, "policy evaluated", "pack", p.PolicyName(), "facts", len(facts))
	return &EvaluateResult{Pack: p.PolicyName(), At: at, Facts: len(facts), Status: p.Evaluate(facts, at)}, nil
}

// candidateFor is the pack in named or sent, if who may try it: every
// region of the pack within who's.
func (s *Scheduler) candidateFor(who *healthcode.Principal, in SimulateInput) (*policy.Pack, error) {
	candidate, err := candidatePack(in)
	if err != nil {
		return nil, err
	}
	for _, region := range candidate.Regions {
		if !permission.Can(who, permission.SimulatePolicy, region) {
			return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "The pack is for region %s; this key acts for region %s.", region, who.Region)
		}
	}
	return candidate, nil
}
