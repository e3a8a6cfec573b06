package healthcode_test

import (
	"reflect"
	"testing"
	"time"

	"healthcode"
)

// sampleFacts has one fact of every kind with every payload field set.
func sampleFacts() []healthcode.Fact {
	t := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return []healthcode.Fact{
		{Kind: healthcode.FactDeclaration, Declaration: &healthcode.DeclarationFact{Declaration: healthcode.Declaration{Fever: true, Commitment: true}, Region: "330106", Reapply: true}},
		{Kind: healthcode.FactTemperature, Temperature: &healthcode.TemperatureFact{Celsius: 38.5, Checkpoint: "gate"}},
		{Kind: healthcode.FactCheckIn, CheckIn: &healthcode.CheckInFact{Date: "2026-03-01", Celsius: 36.5, Symptoms: true}},
		{Kind: healthcode.FactCase, Case: &healthcode.CaseFact{Type: healthcode.CaseConfirmed, Onset: t, FirstPositive: t.Add(time.Hour)}},
		{Kind: healthcode.FactCaseClosed, CaseClosed: &healthcode.CaseClosedFact{Outcome: healthcode.OutcomeCured}},
		{Kind: healthcode.FactContact, Contact: &healthcode.ContactFact{Type: healthcode.ContactCompanion, Exposure: t, Confined: true}},
		{Kind: healthcode.FactEntry, Entry: &healthcode.EntryFact{Port: "PVG", Country: "FR"}},
		{Kind: healthcode.FactAreaStay, AreaStay: &healthcode.AreaStayFact{Area: "310101", Level: healthcode.AreaSealed, From: t, To: t.Add(48 * time.Hour)}},
		{Kind: healthcode.FactIsolation, Isolation: &healthcode.IsolationFact{Setting: healthcode.IsolationHome, Event: healthcode.IsolationRelease}},
		{Kind: healthcode.FactTest, Test: &healthcode.TestFact{Sampled: t, Result: healthcode.TestNegative, Lab: "lab 1"}},
		{Kind: healthcode.FactVaccination, Vaccination: &healthcode.VaccinationFact{Dose: 3, Product: "X"}},
		{Kind: healthcode.FactFalseDeclaration, FalseDeclaration: &healthcode.FalseDeclarationFact{Finding: "left the city"}},
		{Kind: healthcode.FactTransfer, Transfer: &healthcode.TransferFact{To: healthcode.Green, Workflow: "error_correction", Ref: "w1"}},
		{Kind: healthcode.FactForeignCode, ForeignCode: &healthcode.ForeignCodeFact{Region: "310000", Color: healthcode.Yellow, Lifted: true}},
		{Kind: healthcode.FactVenueVisit, VenueVisit: &healthcode.VenueVisitFact{Venue: "v1", Name: "West Lake gate 3", Region: "330106"}},
	}
}

func TestEveryFactKindRoundTrips(t *testing.T) {
	facts := sampleFacts()
	if len(facts) != len(healthcode.FactKinds) {
		t.Fatalf("%d sample facts for %d kinds", len(facts), len(healthcode.FactKinds))
	}
	for _, want := range facts {
		t.Run(string(want.Kind), func(t *testing.T) {
			if !want.Kind.Valid() {
				t.Fatalf("%s is not a valid kind", want.Kind)
			}
			b, err := want.MarshalBody()
			if err != nil {
				t.Fatal(err)
			}
			got := healthcode.Fact{Kind: want.Kind}
			if err := got.UnmarshalBody(b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestFactWithoutPayloadIsRefused(t *testing.T) {
	for _, k := range healthcode.FactKinds {
		if _, err := (&healthcode.Fact{Kind: k}).MarshalBody(); err == nil {
			t.Errorf("%s fact without payload encoded", k)
		}
	}
	if _, err := (&healthcode.Fact{Kind: "gossip"}).MarshalBody(); err == nil {
		t.Error("unknown kind encoded")
	}
}

func TestFirstOfEachRefKeepsOneFactPerRecord(t *testing.T) {
	f := func(source, ref string) *healthcode.Fact { return &healthcode.Fact{Source: source, SourceRef: ref} }
	facts := []*healthcode.Fact{f("lab-1", "a"), f("lab-1", "b"), f("lab-1", "a"), f("lab-2", "a"), f("x", ""), f("x", "")}
	got := healthcode.FirstOfEachRef(facts)
	if want := []int{0, 1, 3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
