package healthcode

import (
	"encoding/json"
	"fmt"
	"time"
)

// FactKind names a kind of fact. Everything that can change a colour is a
// fact with a time, a source and an author (DESIGN.md).
type FactKind string

// The fact kinds. Each has its payload type below; At is always when the
// thing happened (a result's arrival, not its sampling), so that facts sort
// into the order the system could have known them.
const (
	FactDeclaration      FactKind = "declaration"       // a citizen's health declaration
	FactTemperature      FactKind = "temperature"       // measured at a checkpoint
	FactCheckIn          FactKind = "checkin"           // the daily health check-in (打卡)
	FactCase             FactKind = "case"              // a case or suspected case was registered
	FactCaseClosed       FactKind = "case_closed"       // the case was cured and discharged, or excluded
	FactContact          FactKind = "contact"           // close, sub-close or spatio-temporal contact
	FactEntry            FactKind = "entry"             // arrival from abroad
	FactAreaStay         FactKind = "area_stay"         // a stay in a risk area
	FactIsolation        FactKind = "isolation"         // isolation began, or was released
	FactTest             FactKind = "test"              // a nucleic-acid result
	FactVaccination      FactKind = "vaccination"       // a vaccine dose
	FactFalseDeclaration FactKind = "false_declaration" // an investigation found a false declaration
	FactTransfer         FactKind = "transfer"          // an official workflow decided a colour
	FactForeignCode      FactKind = "foreign_code"      // another region assigned (or lifted) a colour
	FactVenueVisit       FactKind = "venue_visit"       // a scan of a venue code (场所码)
)

// FactKinds lists every kind, for validation and the API document.
var FactKinds = []FactKind{
	FactDeclaration, FactTemperature, FactCheckIn, FactCase, FactCaseClosed, FactContact, FactEntry,
	FactAreaStay, FactIsolation, FactTest, FactVaccination, FactFalseDeclaration, FactTransfer, FactForeignCode,
	FactVenueVisit,
}

// FeverCelsius is the threshold at or above which a temperature is a fever
// (the 37.3 °C used by the seeds' checkpoints).
const FeverCelsius = 37.3

// Fact is one observation about a person. Exactly one of the typed payloads
// is set, matching Kind.
type Fact struct {
	ID         int64
	PersonID   int64
	Kind       FactKind
	At         time.Time // when it happened
	RecordedAt time.Time // when the system learned it
	Source     string    // who reported it: "citizen", a checkpoint's name, a feed
	SourceRef  string    // the source's own record id, for idempotent feeds
	Author     string    // the principal that wrote it, e.g. "account:12"

	Declaration      *DeclarationFact      `json:",omitempty"`
	Temperature      *TemperatureFact      `json:",omitempty"`
	CheckIn          *CheckInFact          `json:",omitempty"`
	Case             *CaseFact             `json:",omitempty"`
	CaseClosed       *CaseClosedFact       `json:",omitempty"`
	Contact          *ContactFact          `json:",omitempty"`
	Entry            *EntryFact            `json:",omitempty"`
	AreaStay         *AreaStayFact         `json:",omitempty"`
	Isolation        *IsolationFact        `json:",omitempty"`
	Test             *TestFact             `json:",omitempty"`
	Vaccination      *VaccinationFact      `json:",omitempty"`
	FalseDeclaration *FalseDeclarationFact `json:",omitempty"`
	Transfer         *TransferFact         `json:",omitempty"`
	ForeignCode      *ForeignCodeFact      `json:",omitempty"`
	VenueVisit       *VenueVisitFact       `json:",omitempty"`
}

// DeclarationFact is a declaration as submitted, by application,
// re-application or modification.
type DeclarationFact struct {
	Declaration
	Region  string `json:"region"`
	Reapply bool   `json:"reapply,omitempty"` // supersedes every earlier declaration
}

// TemperatureFact is a body temperature measured at a checkpoint.
type TemperatureFact struct {
	Celsius    float64 `json:"celsius"`
	Checkpoint string  `json:"checkpoint"`
}

// Fever reports whether the temperature is a fever.
func (t TemperatureFact) Fever() bool { return t.Celsius >= FeverCelsius }

// CheckInFact is a daily health check-in: one a day (seed 004).
type CheckInFact struct {
	Date     string  `json:"date"` // China-time calendar date, 2006-01-02
	Celsius  float64 `json:"celsius,omitempty"`
	Symptoms bool    `json:"symptoms"` // fever, cough or other symptoms
}

// Normal reports whether the check-in reports no symptom and no fever.
func (c CheckInFact) Normal() bool { return !c.Symptoms && c.Celsius < FeverCelsius }

// CaseType is how a case was classified.
type CaseType string

// Case types of seeds 003 and 004.
const (
	CaseConfirmed    CaseType = "confirmed"
	CaseClinical     CaseType = "clinical" // clinically diagnosed (Hubei 2020)
	CaseAsymptomatic CaseType = "asymptomatic"
	CaseSuspected    CaseType = "suspected"
	CaseFeverClinic  CaseType = "fever_clinic" // a visit to a fever clinic (seed 002 Q6)
)

// CaseFact registers a case; At is when it was registered.
type CaseFact struct {
	Type          CaseType  `json:"type"`
	Onset         time.Time `json:"onset,omitzero"`          // symptom onset
	FirstPositive time.Time `json:"first_positive,omitzero"` // first positive sample
}

// CaseOutcome is how a case ended.
type CaseOutcome string

// Outcomes of a case.
const (
	OutcomeCured    CaseOutcome = "cured"    // cured and discharged
	OutcomeExcluded CaseOutcome = "excluded" // a suspected or fever case ruled out
)

// CaseClosedFact ends the person's open case; At is the discharge or
// exclusion time.
type CaseClosedFact struct {
	Outcome CaseOutcome `json:"outcome"`
}

// ContactType is how close a contact was.
type ContactType string

// Contact types of seed 003.
const (
	ContactClose     ContactType = "close"
	ContactSubClose  ContactType = "sub_close"
	ContactCompanion ContactType = "companion" // spatio-temporal companion (时空伴随)
)

// ContactFact records an exposure found by investigation; At is when it was
// found.
type ContactFact struct {
	Type     ContactType `json:"type"`
	Exposure time.Time   `json:"exposure"` // the last exposure
	// Confined: in the same confined, poorly ventilated space at the same
	// time as a case, from 4 days before its onset (seed 003 §5).
	Confined bool `json:"confined,omitempty"`
}

// EntryFact records an arrival from abroad; At is the entry time.
type EntryFact struct {
	Port    string `json:"port,omitempty"`
	Country string `json:"country,omitempty"`
}

// AreaLevel is the risk designation of an area.
type AreaLevel string

// Area levels of seed 003.
const (
	AreaHigh    AreaLevel = "high"
	AreaMedium  AreaLevel = "medium"
	AreaSealed  AreaLevel = "sealed"  // 封控区 not designated high-risk
	AreaControl AreaLevel = "control" // 管控区
)

// AreaStayFact records a stay in a risk area; At is when it became known.
type AreaStayFact struct {
	Area  string    `json:"area"`  // region code or named place
	Level AreaLevel `json:"level"` // empty: a trip, coloured only by designations
	From  time.Time `json:"from"`
	To    time.Time `json:"to,omitzero"` // zero: still there
	// Trip names the reported trip a designation made this stay of; nil
	// for a stay as reported. The made stay lasts as long as that report:
	// a later report of the trip (with its end, say) replaces both.
	Trip *TripRef `json:"trip,omitempty"`
}

// TripRef names a feed record: its source and the source's record id.
type TripRef struct {
	Source string `json:"source"`
	Ref    string `json:"ref"`
}

// StayEnd is the last exposure: the end of the stay, or at if still there.
func (a AreaStayFact) StayEnd(at time.Time) time.Time {
	if a.To.IsZero() || a.To.After(at) {
		return at
	}
	return a.To
}

// IsolationSetting is where a person is isolated.
type IsolationSetting string

// Isolation settings.
const (
	IsolationCentralized IsolationSetting = "centralized"
	IsolationHome        IsolationSetting = "home"
)

// IsolationEvent is what happened to an isolation.
type IsolationEvent string

// Isolation events: a start, or a release by the isolation point or
// community (seed 003 §2).
const (
	IsolationStart   IsolationEvent = "start"
	IsolationRelease IsolationEvent = "release"
)

// IsolationFact records the start or release of an isolation; At is when.
type IsolationFact struct {
	Setting IsolationSetting `json:"setting"`
	Event   IsolationEvent   `json:"event"`
}

// TestResult is a nucleic-acid result.
type TestResult string

// Results.
const (
	TestNegative TestResult = "negative"
	TestPositive TestResult = "positive"
)

// TestFact is a nucleic-acid result; At is when the result arrived, Sampled
// when the sample was taken (intervals count between samples).
type TestFact struct {
	Sampled time.Time  `json:"sampled"`
	Result  TestResult `json:"result"`
	Lab     string     `json:"lab,omitempty"`
}

// VaccinationFact is a vaccine dose; it informs, it does not colour.
type VaccinationFact struct {
	Dose    int    `json:"dose"`
	Product string `json:"product,omitempty"`
}

// FalseDeclarationFact is a finding that a declaration was false (B7).
type FalseDeclarationFact struct {
	Finding string `json:"finding,omitempty"`
}

// TransferFact is the outcome of an official workflow (appeal, error
// correction, release list): the colour the person is transferred to.
type TransferFact struct {
	To       Color  `json:"to"`
	Workflow string `json:"workflow"` // e.g. "error_correction", "home_release"
	Ref      string `json:"ref,omitempty"`
	// ProposedBy and ApprovedBy are the roles of the two officials whose
	// four eyes made the transfer, for its explanation; never names.
	ProposedBy Role `json:"proposed_by,omitempty"`
	ApprovedBy Role `json:"approved_by,omitempty"`
}

// ForeignCodeFact is a colour assigned by another region, which this
// region may not lower (seed 003: the issuing region's authority). A
// later fact from the same region with Lifted set ends it.
type ForeignCodeFact struct {
	Region string `json:"region"`
	Color  Color  `json:"color"`
	Lifted bool   `json:"lifted,omitempty"`
	// CodeRef binds the fact to one code of that region: a keyed digest
	// of the code id (never the id itself), so that a later link from the
	// same region must show the same person's code.
	CodeRef string `json:"code_ref,omitempty"`
}

// VenueVisitFact is a visit recorded by scanning a venue's code; At is
// the time of the scan. Like a vaccination it informs and never colours by
// itself: investigators find spatio-temporal companions by venue and time,
// and what they find arrives as a contact fact.
type VenueVisitFact struct {
	Venue  string `json:"venue"` // the venue's id, from its code
	Name   string `json:"name"`
	Region string `json:"region"`
}

// slot reads and allocates the payload field of one fact kind.
type slot struct {
	get   func(*Fact) any // the payload, or nil when unset
	alloc func(*Fact) any // a new zero payload, set on the fact
}

func field[T any](ptr func(*Fact) **T) slot {
	return slot{
		get: func(f *Fact) any {
			if p := *ptr(f); p != nil {
				return p
			}
			return nil
		},
		alloc: func(f *Fact) any {
			p := new(T)
			*ptr(f) = p
			return p
		},
	}
}

// payloads maps each kind to its payload field.
var payloads = map[FactKind]slot{
	FactDeclaration:      field(func(f *Fact) **DeclarationFact { return &f.Declaration }),
	FactTemperature:      field(func(f *Fact) **TemperatureFact { return &f.Temperature }),
	FactCheckIn:          field(func(f *Fact) **CheckInFact { return &f.CheckIn }),
	FactCase:             field(func(f *Fact) **CaseFact { return &f.Case }),
	FactCaseClosed:       field(func(f *Fact) **CaseClosedFact { return &f.CaseClosed }),
	FactContact:          field(func(f *Fact) **ContactFact { return &f.Contact }),
	FactEntry:            field(func(f *Fact) **EntryFact { return &f.Entry }),
	FactAreaStay:         field(func(f *Fact) **AreaStayFact { return &f.AreaStay }),
	FactIsolation:        field(func(f *Fact) **IsolationFact { return &f.Isolation }),
	FactTest:             field(func(f *Fact) **TestFact { return &f.Test }),
	FactVaccination:      field(func(f *Fact) **VaccinationFact { return &f.Vaccination }),
	FactFalseDeclaration: field(func(f *Fact) **FalseDeclarationFact { return &f.FalseDeclaration }),
	FactTransfer:         field(func(f *Fact) **TransferFact { return &f.Transfer }),
	FactForeignCode:      field(func(f *Fact) **ForeignCodeFact { return &f.ForeignCode }),
	FactVenueVisit:       field(func(f *Fact) **VenueVisitFact { return &f.VenueVisit }),
}

// Valid reports whether k is a known fact kind.
func (k FactKind) Valid() bool {
	_, ok := payloads[k]
	return ok
}

// MarshalBody encodes the fact's payload for storage.
func (f *Fact) MarshalBody() ([]byte, error) {
	s, ok := payloads[f.Kind]
	if !ok {
		return nil, fmt.Errorf("marshal fact: unknown kind %q", f.Kind)
	}
	p := s.get(f)
	if p == nil {
		return nil, fmt.Errorf("marshal fact: %s fact has no payload", f.Kind)
	}
	return json.Marshal(p)
}

// UnmarshalBody decodes a stored payload according to f.Kind.
func (f *Fact) UnmarshalBody(b []byte) error {
	s, ok := payloads[f.Kind]
	if !ok {
		return fmt.Errorf("unmarshal fact %d: unknown kind %q", f.ID, f.Kind)
	}
	if err := json.Unmarshal(b, s.alloc(f)); err != nil {
		return fmt.Errorf("unmarshal %s fact %d: %w", f.Kind, f.ID, err)
	}
	return nil
}

// FirstOfEachRef returns the indexes of the facts that are not repeats of
// an earlier one in the slice: a fact is known by its (Source, SourceRef),
// so a feed that lists one record twice stores it once. Facts without a
// SourceRef are never repeats.
func FirstOfEachRef(facts []*Fact) []int {
	type ref struct{ source, ref string }
	seen := make(map[ref]bool, len(facts))
	keep := make([]int, 0, len(facts))
	for i, f := range facts {
		if f.SourceRef != "" {
			k := ref{f.Source, f.SourceRef}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		keep = append(keep, i)
	}
	return keep
}
