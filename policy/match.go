package policy

import (
	"slices"
	"time"

	"healthcode"
)

// matches reports whether fact f starts an episode of category c.
func (t *Trigger) matches(f *healthcode.Fact) bool {
	if f.Kind != t.Fact {
		return false
	}
	if len(t.Types) > 0 && !slices.Contains(t.Types, factType(f)) {
		return false
	}
	for _, a := range t.Answers {
		if !answered(f, a) {
			return false
		}
	}
	if t.Fever && !fever(f) {
		return false
	}
	if t.Confined != nil && (f.Contact == nil || f.Contact.Confined != *t.Confined) {
		return false
	}
	if r := t.ExposureAge; r != nil {
		age := f.At.Sub(exposure(f))
		if age < r.Min.D() || (r.Max > 0 && age >= r.Max.D()) {
			return false
		}
	}
	return true
}

// factType is the type a trigger's Types are matched against.
func factType(f *healthcode.Fact) string {
	switch {
	case f.Case != nil:
		return string(f.Case.Type)
	case f.Contact != nil:
		return string(f.Contact.Type)
	case f.AreaStay != nil:
		return string(f.AreaStay.Level)
	case f.Isolation != nil:
		return string(f.Isolation.Setting)
	case f.Test != nil:
		return string(f.Test.Result)
	}
	return ""
}

func answered(f *healthcode.Fact, answer string) bool {
	if c := f.CheckIn; c != nil {
		return answer == "symptoms" && c.Symptoms
	}
	d := f.Declaration
	if d == nil {
		return false
	}
	switch answer {
	case "symptoms":
		return d.Symptomatic()
	case "contact_cases":
		return d.ContactCases
	case "abroad_14d":
		return d.Abroad14d
	case "left_region_14d":
		return d.LeftRegion14d
	}
	return false
}

func fever(f *healthcode.Fact) bool {
	switch {
	case f.Temperature != nil:
		return f.Temperature.Fever()
	case f.CheckIn != nil:
		return f.CheckIn.Celsius >= healthcode.FeverCelsius
	}
	return false
}

// symptomatic reports facts that count as "fever, cough or other
// symptoms" for the symptoms block.
func symptomatic(f *healthcode.Fact) bool {
	return fever(f) || answered(f, "symptoms")
}

// exposure is the last exposure a fact records, or its own time.
func exposure(f *healthcode.Fact) time.Time {
	switch {
	case f.Contact != nil && !f.Contact.Exposure.IsZero():
		return f.Contact.Exposure
	case f.AreaStay != nil:
		return f.AreaStay.StayEnd(f.At)
	}
	return f.At
}

// anchorTime is the instant of f that an anchor names.
func anchorTime(f *healthcode.Fact, a Anchor) time.Time {
	switch a {
	case AnchorExposure, AnchorStayEnd:
		return exposure(f)
	case AnchorOnset:
		if f.Case != nil && !f.Case.Onset.IsZero() {
			return f.Case.Onset
		}
	case AnchorFirstPositive:
		if f.Case != nil && !f.Case.FirstPositive.IsZero() {
			return f.Case.FirstPositive
		}
	}
	return f.At
}
