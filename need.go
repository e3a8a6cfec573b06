package healthcode

import "time"

// NeedKind names a kind of requirement for leaving a phase.
type NeedKind string

// Requirements a person may have to meet.
const (
	NeedWait     NeedKind = "wait"     // time must pass: Until
	NeedTests    NeedKind = "tests"    // negative nucleic-acid results: Have of Want
	NeedCheckIns NeedKind = "checkins" // consecutive days of normal check-ins: Have of Want
	NeedRelease  NeedKind = "release"  // release from isolation in Setting
	NeedClosed   NeedKind = "closed"   // the case closed with outcome Setting
	NeedTransfer NeedKind = "transfer" // only an official workflow can change it
	NeedRecord   NeedKind = "record"   // a normal temperature record renews green
	NeedBlock    NeedKind = "block"    // a condition that must end first, by Until if known
	NeedRegion   NeedKind = "region"   // only the issuing region (Setting) can change it
)

// Need is one requirement, as data, so that pages and other systems can
// show progress without parsing text. Needs with the same Alternative must
// all be met; meeting any one alternative is enough.
type Need struct {
	Alternative int       `json:"alternative"`
	Kind        NeedKind  `json:"kind"`
	Until       time.Time `json:"until,omitzero"`
	Have        int       `json:"have,omitempty"`
	Want        int       `json:"want,omitempty"`
	MinInterval float64   `json:"min_interval_hours,omitempty"`
	Within      float64   `json:"within_hours,omitempty"`
	Setting     string    `json:"setting,omitempty"`
}
