package service_test

import (
	"context"
	"testing"
	"time"

	"healthcode"
)

func TestVenueVisitIsRecordedAsAFact(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900030001"
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
		admin := adminKey(t, e)

		v, err := e.svc.CreateVenue(ctx, admin, " 西湖景区 3 号门 ", "330106")
		if err != nil {
			t.Fatalf("CreateVenue: %v", err)
		}
		read, err := e.svc.Venue(v.Code)
		if err != nil || *read != *v || read.Name != "西湖景区 3 号门" {
			t.Fatalf("Venue(code) = %+v, %v; want %+v", read, err, v)
		}
		visits := func() []healthcode.VenueVisitFact {
			var vs []healthcode.VenueVisitFact
			for _, f := range storedFacts(t, e, p.ID) {
				if f.VenueVisit != nil {
					vs = append(vs, *f.VenueVisit)
				}
			}
			return vs
		}
		// The door's code scanned three times in a minute, as people do.
		for range 3 {
			if _, err := e.svc.Visit(ctx, who, p.ID, v.Code); err != nil {
				t.Fatalf("Visit: %v", err)
			}
			e.clock.Advance(20 * time.Second)
		}
		want := healthcode.VenueVisitFact{Venue: v.ID, Name: v.Name, Region: "330106"}
		if got := visits(); len(got) != 1 || got[0] != want {
			t.Errorf("stored visits = %+v, want one: [%+v]", got, want)
		}
		e.clock.Advance(10 * time.Minute)
		if _, err := e.svc.Visit(ctx, who, p.ID, v.Code); err != nil {
			t.Fatalf("Visit: %v", err)
		}
		if got := visits(); len(got) != 2 {
			t.Errorf("%d visits stored after coming back ten minutes later, want 2", len(got))
		}
	})
}

func TestVenueCodesRefuseForgeriesAndStrangers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900030002"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
	v, err := e.svc.CreateVenue(ctx, adminKey(t, e), "market", "330106")
	if err != nil {
		t.Fatal(err)
	}
	stranger := mustLogin(t, e, "13900030003")
	forged := v.Code[:len(v.Code)-2] + "AA"
	if forged == v.Code {
		forged = v.Code[:len(v.Code)-2] + "BB"
	}

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"a citizen creating a venue", func() error { _, err := e.svc.CreateVenue(ctx, who, "x", "330106"); return err }, healthcode.EFORBIDDEN},
		{"a venue without a name", func() error { _, err := e.svc.CreateVenue(ctx, adminKey(t, e), " ", "330106"); return err }, healthcode.EINVALID},
		{"a forged code", func() error { _, err := e.svc.Venue(forged); return err }, healthcode.ENOTFOUND},
		{"garbage", func() error { _, err := e.svc.Venue("not-a-code"); return err }, healthcode.ENOTFOUND},
		{"a visit for someone else's person", func() error { _, err := e.svc.Visit(ctx, stranger, p.ID, v.Code); return err }, healthcode.ENOTFOUND},
		{"a visit with a forged code", func() error { _, err := e.svc.Visit(ctx, who, p.ID, forged); return err }, healthcode.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.call(), tt.want) })
	}
}

// adminKey creates an admin API key for 330100 and returns its principal.
func adminKey(t *testing.T, e *testEnv) *healthcode.Principal {
	t.Helper()
	return keyOf(t, e, healthcode.RoleAdmin, "330100")
}
