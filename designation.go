package healthcode

import (
	"fmt"
	"time"
)

// A Designation says an area had a risk level over a period, as a
// prevention headquarters announces it. It is nobody's fact: it colours
// the people whose stays (trips reported without a level) fall in the area
// and the period, through an area-stay fact made for each such stay.
type Designation struct {
	Area       string // as stays name it: a region code or a place name
	Level      AreaLevel
	From       time.Time
	To         time.Time // zero: until further notice
	Source     string    // who announced it; with SourceRef, stored once
	SourceRef  string
	Author     string
	RecordedAt time.Time
}

// Applies reports whether d colours stay f: a stay reported without a level
// in d's area, overlapping d's period.
func (d *Designation) Applies(f *Fact) bool {
	s := f.AreaStay
	if s == nil || s.Level != "" || s.Area != d.Area {
		return false
	}
	endsAfterStart := s.To.IsZero() || s.To.After(d.From)
	startsBeforeEnd := d.To.IsZero() || s.From.Before(d.To)
	return endsAfterStart && startsBeforeEnd
}

// Stay is the area-stay fact d makes of a stay it Applies to: the part of
// the stay inside d's period, at d's level, known at now, naming the trip
// it was made of. Its SourceRef names both records, so that however often
// either is sent, and whichever comes first, the pair makes one fact.
func (d *Designation) Stay(f *Fact, now time.Time) Fact {
	s := *f.AreaStay
	s.Level, s.Trip = d.Level, &TripRef{Source: f.Source, Ref: f.SourceRef}
	if s.From.Before(d.From) {
		s.From = d.From
	}
	if !d.To.IsZero() && (s.To.IsZero() || s.To.After(d.To)) {
		s.To = d.To
	}
	// Lengths before the parts keep the joined record ids apart whatever
	// the parts hold: ("a|b", "c") and ("a", "b|c") must not meet.
	ref := fmt.Sprintf("%d:%s|%d:%s|%s", len(d.SourceRef), d.SourceRef, len(f.Source), f.Source, f.SourceRef)
	return Fact{PersonID: f.PersonID, Kind: FactAreaStay, At: now, RecordedAt: now, Source: d.Source,
		SourceRef: ref, Author: d.Author, AreaStay: &s}
}
