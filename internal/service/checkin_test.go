package service_test

import (
	"context"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

func TestCheckInIsOncePerChinaDay(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900020001"
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
		normal := service.CheckInInput{Symptoms: new(false), Celsius: new(36.5)}

		res, err := e.svc.CheckIn(ctx, who, p.ID, normal)
		if err != nil {
			t.Fatalf("first check-in: %v", err)
		}
		if res.Date != "2026-03-10" || res.Status == nil || res.Status.Color != healthcode.Green {
			t.Errorf("check-in = %+v, want date 2026-03-10 and a green status", res)
		}
		h, err := e.svc.Health(ctx, who, p.ID)
		if err != nil || !h.CheckedInToday {
			t.Fatalf("Health after check-in = %+v, %v; want checked in today", h, err)
		}

		_, err = e.svc.CheckIn(ctx, who, p.ID, normal)
		wantCode(t, err, healthcode.ECONFLICT)

		e.clock.Advance(24 * time.Hour)
		if _, err := e.svc.CheckIn(ctx, who, p.ID, normal); err != nil {
			t.Fatalf("check-in the next day: %v", err)
		}
		var checkins int
		for _, f := range storedFacts(t, e, p.ID) {
			if f.CheckIn != nil {
				checkins++
			}
		}
		if checkins != 2 {
			t.Errorf("stored %d check-in facts, want 2", checkins)
		}
	})
}

func TestCheckInRefusesBadInputAndOthersPersons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020002"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
	stranger := mustLogin(t, e, "13900020003")

	tests := []struct {
		name     string
		who      *healthcode.Principal
		in       service.CheckInInput
		wantCode string
		wantFld  []string
	}{
		{"unanswered symptoms", who, service.CheckInInput{}, healthcode.EINVALID, []string{"symptoms"}},
		{"impossible temperature", who, service.CheckInInput{Symptoms: new(false), Celsius: new(60.0)}, healthcode.EINVALID, []string{"celsius"}},
		{"someone else's person", stranger, service.CheckInInput{Symptoms: new(false)}, healthcode.ENOTFOUND, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CheckIn(ctx, tt.who, p.ID, tt.in)
			wantCode(t, err, tt.wantCode)
			if got := fieldNames(err); len(tt.wantFld) > 0 && (len(got) != 1 || got[0] != tt.wantFld[0]) {
				t.Errorf("fields = %v, want %v", got, tt.wantFld)
			}
		})
	}
}

// onEachStore runs test on a new environment on SQLite and on PostgreSQL,
// side by side, each made with opts.
func onEachStore(t *testing.T, test func(t *testing.T, e *testEnv), opts ...envOption) {
	t.Helper()
	for _, store := range []struct {
		name string
		opts []envOption
	}{
		{"sqlite", nil},
		{"postgres", []envOption{withPostgres()}},
	} {
		t.Run(store.name, func(t *testing.T) {
			t.Parallel()
			test(t, newEnv(t, append(store.opts, opts...)...))
		})
	}
}

// TestCheckInDayTurnsAtChinaMidnight: the day is China's, not UTC's: at
// 23:55 Beijing time it is still the day of a morning check-in, ten
// minutes later it is the next, while the UTC date has not changed.
func TestCheckInDayTurnsAtChinaMidnight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020009"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101003"), "钱晓东", phone))
	normal := service.CheckInInput{Symptoms: new(false), Celsius: new(36.5)}
	if _, err := e.svc.CheckIn(ctx, who, p.ID, normal); err != nil { // 10:00 in Beijing, 02:00 UTC
		t.Fatal(err)
	}
	e.clock.Advance(13*time.Hour + 55*time.Minute) // 23:55 in Beijing, 15:55 UTC
	_, err := e.svc.CheckIn(ctx, who, p.ID, normal)
	wantCode(t, err, healthcode.ECONFLICT)
	e.clock.Advance(10 * time.Minute) // 00:05 the next day in Beijing, still 16:05 on the same UTC day
	res, err := e.svc.CheckIn(ctx, who, p.ID, normal)
	if err != nil {
		t.Fatalf("check-in after midnight in Beijing: %v", err)
	}
	if res.Date != "2026-03-11" {
		t.Errorf("check-in date %s, want 2026-03-11, Beijing's", res.Date)
	}
}

func TestHealthListsResultsNewestSampleFirstAndKnowsAFullCourse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020004"
	number := validID(t, "33010619850101003")
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(number, "吴晓东", phone))
	// The second sample's result arrives first.
	lab := "source_ref,doc_number,at,sampled,result,lab\n" +
		"L-2," + number + ",2026-03-10 06:00,2026-03-10 02:00,negative,西湖检测所\n" +
		"L-1," + number + ",2026-03-10 07:00,2026-03-09 02:00,negative,\n"
	if _, err := e.svc.Ingest(ctx, feedKey(t, e, "lab"), "lab", feedRows(t, "lab", lab, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		doses    string
		product  string
		complete bool
	}{
		{"1", "CoronaVac", false},
		{"2", "CoronaVac", true},
	} {
		csv := "source_ref,doc_number,at,dose,product\nV-" + tc.doses + "," + number + ",2026-03-01 09:00," + tc.doses + "," + tc.product + "\n"
		if _, err := e.svc.Ingest(ctx, feedKey(t, e, "vaccination"), "vaccination", feedRows(t, "vaccination", csv, e.clock.Now())); err != nil {
			t.Fatal(err)
		}
		h, err := e.svc.Health(ctx, who, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.VaccineComplete != tc.complete {
			t.Errorf("after dose %s of %s: complete %v, want %v", tc.doses, tc.product, h.VaccineComplete, tc.complete)
		}
		if len(h.Tests) != 2 || h.Tests[0].Lab != "西湖检测所" || !h.Tests[0].Sampled.After(h.Tests[1].Sampled) {
			t.Errorf("tests = %+v, want the 2026-03-10 sample first", h.Tests)
		}
	}
}
