package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"healthcode"
	"healthcode/internal/service"
)

// applicant is person k of a bulk application: a resident of 330106 with
// a clean declaration, on a phone of their own.
func applicant(t *testing.T, k int, opts ...applyOpt) service.Applicant {
	t.Helper()
	in := applyInput(validID(t, fmt.Sprintf("330106198001%02d%03d", 1+k%28, k)), "钱七", fmt.Sprintf("139%08d", 60000+k), opts...)
	return service.Applicant{Identity: in.Identity, Region: in.Region, Declaration: in.Declaration}
}

// TestApplyManyLeavesWhatApplyLeaves applies one person through Apply and
// another through ApplyMany, and finds the same: a login that manages
// them, the same facts, status and sealed history.
func TestApplyManyLeavesWhatApplyLeaves(t *testing.T) {
	t.Parallel()
	onBothStores(t, testApplyManyLeavesWhatApplyLeaves)
}

func testApplyManyLeavesWhatApplyLeaves(t *testing.T, opts ...envOption) {
	e := newEnv(t, opts...)
	ctx := context.Background()
	one, many := applicant(t, 1, declaringContact), applicant(t, 2, declaringContact)
	who := mustLogin(t, e, one.Identity.Phone)
	want := mustApply(t, e, who, service.ApplyInput{Identity: one.Identity, Region: one.Region, Declaration: one.Declaration})

	res, err := e.svc.ApplyMany(ctx, []service.Applicant{many})
	if err != nil {
		t.Fatal(err)
	}
	if res != (service.ManyResult{Applied: 1}) {
		t.Errorf("ApplyMany = %+v, want 1 applied", res)
	}
	persons, err := e.svc.Persons(ctx, mustLogin(t, e, many.Identity.Phone))
	if err != nil || len(persons) != 1 {
		t.Fatalf("the applicant's login manages %d persons (%v), want 1", len(persons), err)
	}
	got := persons[0]
	if got.Status.Color != want.Status.Color || got.Status.Rule != want.Status.Rule || got.Relation != healthcode.RelationSelf {
		t.Errorf("ApplyMany gave %s by %s (%s), Apply %s by %s", got.Status.Color, got.Status.Rule, got.Relation,
			want.Status.Color, want.Status.Rule)
	}
	gotFacts, wantFacts := storedFacts(t, e, got.ID), storedFacts(t, e, want.ID)
	if len(gotFacts) != 1 || gotFacts[0].Kind != wantFacts[0].Kind || *gotFacts[0].Declaration != *wantFacts[0].Declaration {
		t.Errorf("facts %+v, want those of Apply %+v", gotFacts, wantFacts)
	}
	h := storedHistory(t, e, got.ID)
	if len(h) != 1 || h[0].To != healthcode.Red || !slices.Equal(h[0].FactIDs, []int64{gotFacts[0].ID}) {
		t.Errorf("history %+v, want one red entry from the declaration", h)
	}
	p := storedPerson(t, e, got.ID)
	if string(p.IDSealed) == many.Identity.Number || p.NameMasked == many.Identity.Name || len(p.PhoneHash) == 0 {
		t.Errorf("identity stored in clear: %+v", p)
	}
}

// TestApplyManyTakesWaitingFactsAndSkipsThoseWithACode checks the rules
// of an application that concern others: facts feeds sent before the
// person applied colour their first status, and a second application for
// an identity or from a phone that applied changes nothing.
func TestApplyManyTakesWaitingFactsAndSkipsThoseWithACode(t *testing.T) {
	t.Parallel()
	onBothStores(t, testApplyManyTakesWaitingFacts)
}

func testApplyManyTakesWaitingFacts(t *testing.T, opts ...envOption) {
	e := newEnv(t, append(opts, withPolicy(shippedPack(t, "transfer-rules-2022")))...)
	ctx := context.Background()
	people := []service.Applicant{applicant(t, 1), applicant(t, 2), applicant(t, 3)}
	feed := fmt.Sprintf("source_ref,doc_number,at,type,exposure\nc1,%s,2026-03-09T12:00:00+08:00,close,2026-03-09T08:00:00+08:00\n",
		people[1].Identity.Number)
	if res, err := e.svc.Ingest(ctx, feedKey(t, e, "contact"), "contact", feedRows(t, "contact", feed, start)); err != nil || res.Pending != 1 {
		t.Fatalf("contact feed: %+v, %v", res, err)
	}
	if res, err := e.svc.ApplyMany(ctx, people[:2]); err != nil || res.Applied != 2 {
		t.Fatalf("ApplyMany = %+v, %v", res, err)
	}
	again := people[0]
	again.Identity.Phone = "13900069999" // the same identity on another phone
	res, err := e.svc.ApplyMany(ctx, []service.Applicant{people[0], again, people[2]})
	if err != nil || res != (service.ManyResult{Applied: 1, Skipped: 2}) {
		t.Errorf("ApplyMany again = %+v, %v; want the one new person applied, two skipped", res, err)
	}
	colours := map[string]healthcode.Color{}
	for _, a := range people {
		ps, err := e.svc.Persons(ctx, mustLogin(t, e, a.Identity.Phone))
		if err != nil || len(ps) != 1 {
			t.Fatalf("%s manages %d persons (%v)", a.Identity.Phone, len(ps), err)
		}
		colours[a.Identity.Phone] = ps[0].Status.Color
	}
	want := map[string]healthcode.Color{people[0].Identity.Phone: healthcode.Green,
		people[1].Identity.Phone: healthcode.Red, people[2].Identity.Phone: healthcode.Green}
	for phone, c := range want {
		if colours[phone] != c {
			t.Errorf("%s is %s, want %s", phone, colours[phone], c)
		}
	}
}

// TestApplyManyRefusesABatchWithABadApplicant names the applicant and
// the field, and stores no one.
func TestApplyManyRefusesABatchWithABadApplicant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bad := applicant(t, 2)
	bad.Identity.Number = "330106198001031234"
	_, err := e.svc.ApplyMany(context.Background(), []service.Applicant{applicant(t, 1), bad})
	wantCode(t, err, healthcode.EINVALID)
	if got := fieldNames(err); !slices.Equal(got, []string{"people[1].identity.number"}) {
		t.Errorf("fields %v, want people[1].identity.number", got)
	}
	ps, err := e.svc.Persons(context.Background(), mustLogin(t, e, applicant(t, 1).Identity.Phone))
	if err != nil || len(ps) != 0 {
		t.Errorf("a refused batch stored %d persons (%v)", len(ps), err)
	}
}

// TestApplyManyKeepsTheWordsOfABadField: naming the applicant in the
// field keeps the reason translatable, arguments included.
func TestApplyManyKeepsTheWordsOfABadField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bad := applicant(t, 2)
	bad.Region = "990100"
	_, err := e.svc.ApplyMany(context.Background(), []service.Applicant{applicant(t, 1), bad})
	var he *healthcode.Error
	if !errors.As(err, &he) || len(he.Fields) != 1 || he.Fields[0].Field != "people[1].region" {
		t.Fatalf("ApplyMany: %v, want one bad field people[1].region", err)
	}
	if got, want := he.Fields[0].In("zh"), healthcode.Translate("zh", "unknown province %s", "99"); got != want || got == "unknown province 99" {
		t.Errorf("the reason in Chinese is %q, want %q", got, want)
	}
}
