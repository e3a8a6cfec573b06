package healthcode

import (
	"reflect"
	"testing"
	"time"
)

func TestDesignationAppliesToLevellessStaysInItsAreaAndPeriod(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	d := &Designation{Area: "西湖区文三路社区", Level: AreaHigh, From: day(10), To: day(20)}
	open := &Designation{Area: "西湖区文三路社区", Level: AreaMedium, From: day(10)}
	stay := func(area string, level AreaLevel, from, to time.Time) *Fact {
		return &Fact{Kind: FactAreaStay, AreaStay: &AreaStayFact{Area: area, Level: level, From: from, To: to}}
	}
	tests := []struct {
		name string
		d    *Designation
		f    *Fact
		want bool
	}{
		{"inside", d, stay(d.Area, "", day(12), day(13)), true},
		{"over its start", d, stay(d.Area, "", day(5), day(11)), true},
		{"over its end", d, stay(d.Area, "", day(19), day(25)), true},
		{"still there", d, stay(d.Area, "", day(15), time.Time{}), true},
		{"ended at its start", d, stay(d.Area, "", day(5), day(10)), false},
		{"began at its end", d, stay(d.Area, "", day(20), day(21)), false},
		{"before it", d, stay(d.Area, "", day(1), day(2)), false},
		{"after an open designation began", open, stay(d.Area, "", day(30), time.Time{}), true},
		{"another area", d, stay("上城区", "", day(12), day(13)), false},
		{"a stay that came with its level", d, stay(d.Area, AreaMedium, day(12), day(13)), false},
		{"not a stay", d, &Fact{Kind: FactTest, Test: &TestFact{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Applies(tt.f); got != tt.want {
				t.Errorf("Applies = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDesignationStayIsThePartInsideItsPeriod(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	now := day(21)
	d := &Designation{Area: "A", Level: AreaHigh, From: day(10), To: day(20), Source: "hq", SourceRef: "D-7", Author: "key:3"}
	stay := &Fact{ID: 9, PersonID: 4, Kind: FactAreaStay, Source: "telecom", SourceRef: "T-1",
		AreaStay: &AreaStayFact{Area: "A", From: day(5)}}
	got := d.Stay(stay, now)
	want := AreaStayFact{Area: "A", Level: AreaHigh, From: day(10), To: day(20), Trip: &TripRef{Source: "telecom", Ref: "T-1"}}
	if !reflect.DeepEqual(*got.AreaStay, want) {
		t.Errorf("stay = %+v, want %+v, made of trip telecom T-1", *got.AreaStay, want)
	}
	if got.PersonID != 4 || got.Kind != FactAreaStay || !got.At.Equal(now) || got.Source != "hq" ||
		got.SourceRef != "3:D-7|7:telecom|T-1" || got.Author != "key:3" {
		t.Errorf("fact = %+v; want person 4's area stay from hq, known now, naming both records", got)
	}
	if stay.AreaStay.Level != "" || !stay.AreaStay.From.Equal(day(5)) {
		t.Error("Stay changed the stay it was made from")
	}
}

func TestDesignationStayRecordIDsDoNotMeet(t *testing.T) {
	stay := func(source, ref string) *Fact {
		return &Fact{Kind: FactAreaStay, Source: source, SourceRef: ref, AreaStay: &AreaStayFact{Area: "A"}}
	}
	a := (&Designation{SourceRef: "D|x"}).Stay(stay("t", "1"), time.Time{})
	b := (&Designation{SourceRef: "D"}).Stay(stay("x|t", "1"), time.Time{})
	if a.SourceRef == b.SourceRef {
		t.Errorf("two different pairs of records made one record id %q", a.SourceRef)
	}
}
