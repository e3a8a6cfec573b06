package healthcode

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// Text is a message in the two languages of the platform.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Status is the outcome of the policy for one person at one instant: the
// colour, why, and what is needed next (DESIGN.md). It is derived from facts
// and can always be derived again.
type Status struct {
	Color      Color     `json:"color"`
	Since      time.Time `json:"since"`
	Policy     string    `json:"policy"`                // policy name and version
	Rule       string    `json:"rule"`                  // the rule that decided the colour
	Category   string    `json:"category,omitempty"`    // the pack's category behind the rule
	Phase      string    `json:"phase,omitempty"`       // the category's phase
	FactIDs    []int64   `json:"fact_ids"`              // the facts that rule used
	Reason     Text      `json:"reason"`                // why this colour
	Next       Text      `json:"next"`                  // what the person must do, by when, to turn green
	Needs      []Need    `json:"needs,omitempty"`       // the same as data
	NextEvalAt time.Time `json:"next_eval_at,omitzero"` // zero: nothing will change by time alone
	// EvaluatedAt is when the status was decided. An evaluation that
	// decides the Same status again leaves it as it is.
	EvaluatedAt time.Time `json:"evaluated_at"`
	// HeadSeq and HeadHash name the person's newest history entry: the
	// next entry is sealed from them without reading the history, and a
	// history truncated at its end is detected.
	HeadSeq  int64  `json:"-"`
	HeadHash []byte `json:"-"`
}

// Due reports whether the status must be evaluated again at now: its next
// evaluation has come, or a wait it lists as still needed is over. Policies
// list no wait that is over and ask to be called again when one ends; a
// status decided before they did is caught up when it is read.
func (s *Status) Due(now time.Time) bool {
	if !s.NextEvalAt.IsZero() && !now.Before(s.NextEvalAt) {
		return true
	}
	for _, n := range s.Needs {
		if n.Kind == NeedWait && !now.Before(n.Until) {
			return true
		}
	}
	return false
}

// statusDetail is the part of a status stores keep as one JSON document.
type statusDetail struct {
	Category string `json:"category,omitempty"`
	Phase    string `json:"phase,omitempty"`
	Needs    []Need `json:"needs,omitempty"`
}

// MarshalDetail encodes Category, Phase and Needs for storage.
func (s *Status) MarshalDetail() ([]byte, error) {
	return json.Marshal(statusDetail{Category: s.Category, Phase: s.Phase, Needs: s.Needs})
}

// UnmarshalDetail decodes what MarshalDetail encoded.
func (s *Status) UnmarshalDetail(b []byte) error {
	var d statusDetail
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	s.Category, s.Phase, s.Needs = d.Category, d.Phase, d.Needs
	return nil
}

// Same reports whether two statuses say the same thing: they differ at
// most in when they were evaluated. A feed row that changes nothing about
// a person (another negative test for someone green) then rewrites no
// status, which is most of what a city-wide testing round sends.
func (s *Status) Same(o *Status) bool {
	return s.Color == o.Color && s.Since.Equal(o.Since) && s.Policy == o.Policy && s.Rule == o.Rule &&
		s.Category == o.Category && s.Phase == o.Phase && slices.Equal(s.FactIDs, o.FactIDs) &&
		s.Reason == o.Reason && s.Next == o.Next && slices.EqualFunc(s.Needs, o.Needs, Need.same) &&
		s.NextEvalAt.Equal(o.NextEvalAt) && s.HeadSeq == o.HeadSeq && bytes.Equal(s.HeadHash, o.HeadHash)
}

func (n Need) same(o Need) bool {
	u := n
	u.Until = o.Until // compared with Equal: a time read back from a store has its own location
	return u == o && n.Until.Equal(o.Until)
}
