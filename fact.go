package healthcode

import (
	"encoding/json"
	"fmt"
	"time"
)

// FactKind names a kind of fact. Everything that can change a colour is a
// fact with a time, a source and an author (DESIGN.md).
type FactKind string

// The fact kinds of the core; the rules engine adds feeds' kinds.
const (
	FactDeclaration FactKind = "declaration" // a citizen's health declaration
	FactTemperature FactKind = "temperature" // a temperature taken at a checkpoint
)

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

	Declaration *DeclarationFact `json:",omitempty"`
	Temperature *TemperatureFact `json:",omitempty"`
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

// MarshalBody encodes the fact's payload for storage.
func (f *Fact) MarshalBody() ([]byte, error) {
	switch f.Kind {
	case FactDeclaration:
		if f.Declaration != nil {
			return json.Marshal(f.Declaration)
		}
	case FactTemperature:
		if f.Temperature != nil {
			return json.Marshal(f.Temperature)
		}
	default:
		return nil, fmt.Errorf("marshal fact: unknown kind %q", f.Kind)
	}
	return nil, fmt.Errorf("marshal fact: %s fact has no payload", f.Kind)
}

// UnmarshalBody decodes a stored payload according to f.Kind.
func (f *Fact) UnmarshalBody(b []byte) error {
	var err error
	switch f.Kind {
	case FactDeclaration:
		f.Declaration = new(DeclarationFact)
		err = json.Unmarshal(b, f.Declaration)
	case FactTemperature:
		f.Temperature = new(TemperatureFact)
		err = json.Unmarshal(b, f.Temperature)
	default:
		return fmt.Errorf("unmarshal fact %d: unknown kind %q", f.ID, f.Kind)
	}
	if err != nil {
		return fmt.Errorf("unmarshal %s fact %d: %w", f.Kind, f.ID, err)
	}
	return nil
}
