package dcc

import "time"

// A Step is one stage of verification, in the order they run.
type Step string

const (
	StepUnprefix   Step = "unprefix"
	StepBase45     Step = "base45"
	StepDecompress Step = "decompress"
	StepCOSE       Step = "cose"
	StepClaims     Step = "claims"
	StepSignature  Step = "signature"
	StepKeyUsage   Step = "key usage"
	StepSigner     Step = "signer validity"
	StepExpiry     Step = "expiry"
	StepSchema     Step = "schema"
)

// Steps lists every step in the order Verify runs them.
var Steps = []Step{StepUnprefix, StepBase45, StepDecompress, StepCOSE, StepClaims,
	StepSchema, StepSignature, StepKeyUsage, StepSigner, StepExpiry}

// An Outcome is what became of one step.
type Outcome string

const (
	Passed Outcome = "passed"
	Failed Outcome = "failed"
	// NotRun: an earlier step failed, or the input did not need the step
	// (an uncompressed certificate).
	NotRun Outcome = "not run"
)

// A StepResult is one step's outcome and, unless it passed, why.
type StepResult struct {
	Step    Step    `json:"step"`
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason,omitempty"`
}

// A Verdict is the result of verifying one certificate. Valid only when no
// step failed and every step that decides validity ran.
type Verdict struct {
	Valid   bool         `json:"valid"`
	Reason  string       `json:"reason,omitempty"`
	Steps   []StepResult `json:"steps"`
	Claims  *Claims      `json:"claims,omitempty"`
	Kind    Kind         `json:"kind,omitempty"`
	Country string       `json:"country,omitempty"` // of the DSC that signed
}

// Claims are the CWT claims of a certificate.
type Claims struct {
	Issuer   string         `json:"iss,omitempty"`
	IssuedAt time.Time      `json:"iat"`
	Expires  time.Time      `json:"exp"`
	Payload  map[string]any `json:"dcc"` // the DCC JSON, hcert -260 → 1
}

// Kind is the type of statement a certificate makes.
type Kind string

const (
	Vaccination Kind = "vaccination"
	Test        Kind = "test"
	Recovery    Kind = "recovery"
)

// Outcome returns the outcome of step s (NotRun if it was not recorded).
func (v *Verdict) Outcome(s Step) Outcome {
	if r, ok := v.result(s); ok {
		return r.Outcome
	}
	return NotRun
}

func (v *Verdict) record(s Step, o Outcome, reason string) {
	v.Steps = append(v.Steps, StepResult{Step: s, Outcome: o, Reason: reason})
	if o == Failed && v.Reason == "" {
		v.Reason = string(s) + ": " + reason
	}
}

func (v *Verdict) fail(s Step, err error) { v.record(s, Failed, err.Error()) }
func (v *Verdict) pass(s Step)            { v.record(s, Passed, "") }

// finish records the steps that did not run and decides validity.
func (v *Verdict) finish() *Verdict {
	ordered := make([]StepResult, 0, len(Steps))
	for _, s := range Steps {
		r, ok := v.result(s)
		if !ok {
			r = StepResult{Step: s, Outcome: NotRun}
		}
		ordered = append(ordered, r)
	}
	v.Steps = ordered
	v.Valid = v.Reason == ""
	for _, s := range []Step{StepCOSE, StepClaims, StepSchema, StepSignature, StepKeyUsage, StepSigner, StepExpiry} {
		if v.Outcome(s) != Passed {
			v.Valid = false
		}
	}
	return v
}

func (v *Verdict) result(s Step) (StepResult, bool) {
	for _, r := range v.Steps {
		if r.Step == s {
			return r, true
		}
	}
	return StepResult{}, false
}
