package service_test

import (
	"context"
	"strings"
	"testing"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
	"healthcode/policy"
)

// designationRows decodes a CSV designation feed as the API would.
func designationRows(t *testing.T, csv string) []ingest.Designation {
	t.Helper()
	dec, err := ingest.NewDecoder("designation", ingest.CSV, strings.NewReader(csv), start)
	if err != nil {
		t.Fatal(err)
	}
	var rows []ingest.Designation
	for {
		d, rej, err := dec.NextDesignation()
		if err != nil {
			return rows
		}
		if rej != nil {
			t.Fatalf("rejected: %s", rej)
		}
		rows = append(rows, d)
	}
}

const (
	community = "西湖区文三路社区"
	trips     = "source_ref,doc_number,at,area,from,to\n"
	highRisk  = "source_ref,area,level,from\nD-1," + community + ",high,2026-03-08\n"
)

// TestDesignationColoursWhoeverStayedWhicheverCameFirst: the seeds' high
// risk areas re-coloured everyone who had been there. A designation
// colours the trips already stored; a trip sent after it, and a trip kept
// for someone who applies later, are coloured when they arrive; sending
// either again changes nothing.
func TestDesignationColoursWhoeverStayedWhicheverCameFirst(t *testing.T) {
	for _, store := range []struct {
		name string
		opts []envOption
	}{{"sqlite", nil}, {"postgres", []envOption{withPostgres()}}} {
		t.Run(store.name, func(t *testing.T) {
			testDesignationColours(t, store.opts...)
		})
	}
}

func testDesignationColours(t *testing.T, opts ...envOption) {
	pack, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, append(opts, withPolicy(pack))...)
	ctx := context.Background()
	ids := map[string]string{
		"before": validID(t, "33010619800101123"), "after": validID(t, "33010619800202123"),
		"elsewhere": validID(t, "33010619800303123"), "earlier": validID(t, "33010619800404123"),
		"pending": validID(t, "33010619800505123"),
	}
	people := map[string]int64{}
	phones := map[string]string{}
	for i, who := range []string{"before", "after", "elsewhere", "earlier"} {
		phones[who] = "1390006000" + string(rune('1'+i))
		v, err := e.svc.Apply(ctx, mustLogin(t, e, phones[who]), applyInput(ids[who], "孙八", phones[who]))
		if err != nil {
			t.Fatal(err)
		}
		people[who] = v.ID
	}
	telecom := feedKey(t, e, "trip")
	hq := feedKey(t, e, "designation")
	send := func(csv string) service.IngestResult {
		res, err := e.svc.Ingest(ctx, telecom, "trip", feedRows(t, "trip", csv, start))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	send(trips +
		"T-1," + ids["before"] + ",2026-03-09 12:00," + community + ",2026-03-09 08:00,2026-03-09 10:00\n" +
		"T-2," + ids["elsewhere"] + ",2026-03-09 12:00,上城区湖滨街道,2026-03-09 08:00,2026-03-09 10:00\n" +
		"T-3," + ids["earlier"] + ",2026-03-09 12:00," + community + ",2026-03-01 08:00,2026-03-01 10:00\n" +
		"T-4," + ids["pending"] + ",2026-03-09 12:00," + community + ",2026-03-09 09:00,2026-03-09 11:00\n")
	colour := func(who string) healthcode.Color {
		t.Helper()
		st, err := e.svc.Status(ctx, mustLogin(t, e, phones[who]), people[who])
		if err != nil {
			t.Fatal(err)
		}
		return st.Color
	}
	if c := colour("before"); c != healthcode.Green {
		t.Fatalf("a stay in an area not designated yet: %v, want green", c)
	}

	res, err := e.svc.Designate(ctx, hq, designationRows(t, highRisk))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Stays != 1 || res.Recoloured != 1 {
		t.Errorf("designation = %+v, want 1 added, 1 stay made, 1 recoloured", res)
	}
	for who, want := range map[string]healthcode.Color{"before": healthcode.Red, "elsewhere": healthcode.Green,
		"earlier": healthcode.Green, "after": healthcode.Green} {
		if c := colour(who); c != want {
			t.Errorf("%s: %v after the designation, want %v", who, c, want)
		}
	}

	late := send(trips + "T-5," + ids["after"] + ",2026-03-10 01:00," + community + ",2026-03-09 20:00,\n")
	if late.Added != 1 || late.Stays != 1 || late.Recoloured != 1 || colour("after") != healthcode.Red {
		t.Errorf("a trip after the designation = %+v, colour %v; want its stay made and red", late, colour("after"))
	}

	again, err := e.svc.Designate(ctx, hq, designationRows(t, highRisk))
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Duplicates != 1 || again.Stays != 0 || again.Recoloured != 0 {
		t.Errorf("the designation again = %+v, want a duplicate changing nothing", again)
	}

	phones["pending"] = "13900060009"
	v, err := e.svc.Apply(ctx, mustLogin(t, e, phones["pending"]), applyInput(ids["pending"], "周九", phones["pending"]))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Red || v.Status.Category != "high-risk-area" {
		t.Errorf("applying after a trip into the designated area: %v by %s, want red by high-risk-area", v.Status.Color, v.Status.Rule)
	}
}

// TestDesignationSparesATripThatEndedBeforeIt: a trip first reported while
// the person was still there, then again with its end, the end before the
// area was designated: whichever comes first, the designation or the end,
// the person was not there in the designated period and stays green.
func TestDesignationSparesATripThatEndedBeforeIt(t *testing.T) {
	for _, endFirst := range []bool{true, false} {
		t.Run(map[bool]string{true: "end before designation", false: "designation before end"}[endFirst], func(t *testing.T) {
			pack, err := policy.LoadShipped("transfer-rules-2022")
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, withPostgres(), withPolicy(pack))
			ctx := context.Background()
			number, phone := validID(t, "33010619800101123"), "13900070001"
			who := mustLogin(t, e, phone)
			v, err := e.svc.Apply(ctx, who, applyInput(number, "郑一", phone))
			if err != nil {
				t.Fatal(err)
			}
			telecom, hq := feedKey(t, e, "trip"), feedKey(t, e, "designation")
			send := func(csv string) {
				if _, err := e.svc.Ingest(ctx, telecom, "trip", feedRows(t, "trip", trips+csv, start)); err != nil {
					t.Fatal(err)
				}
			}
			designate := func() {
				rows := designationRows(t, "source_ref,area,level,from\nD-9,"+community+",high,2026-03-09\n")
				if _, err := e.svc.Designate(ctx, hq, rows); err != nil {
					t.Fatal(err)
				}
			}
			send("T-1," + number + ",2026-03-08 12:00," + community + ",2026-03-08 08:00,\n")
			if endFirst {
				send("T-1b," + number + ",2026-03-09 09:00," + community + ",2026-03-08 08:00,2026-03-08 20:00\n")
				designate()
			} else {
				designate()
				send("T-1b," + number + ",2026-03-09 09:00," + community + ",2026-03-08 08:00,2026-03-08 20:00\n")
			}
			st, err := e.svc.Status(ctx, who, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Color != healthcode.Green {
				t.Errorf("%v by %s, want green: the stay ended before the area was designated", st.Color, st.Rule)
			}
		})
	}
}

// TestDesignationSentAgainIsAppliedAsStored: a record sent again with other
// values changes nothing; trips, earlier or later, meet it as first sent.
func TestDesignationSentAgainIsAppliedAsStored(t *testing.T) {
	pack, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withPolicy(pack))
	ctx := context.Background()
	number, phone := validID(t, "33010619800101123"), "13900070002"
	who := mustLogin(t, e, phone)
	v, err := e.svc.Apply(ctx, who, applyInput(number, "王二", phone))
	if err != nil {
		t.Fatal(err)
	}
	telecom, hq := feedKey(t, e, "trip"), feedKey(t, e, "designation")
	first := "source_ref,area,level,from,to\nD-1," + community + ",medium,2026-03-07,2026-03-08\n"
	if _, err := e.svc.Designate(ctx, hq, designationRows(t, first)); err != nil {
		t.Fatal(err)
	}
	trip := trips + "T-1," + number + ",2026-03-09 12:00," + community + ",2026-03-09 08:00,2026-03-09 10:00\n"
	if _, err := e.svc.Ingest(ctx, telecom, "trip", feedRows(t, "trip", trip, start)); err != nil {
		t.Fatal(err)
	}
	openEnded := "source_ref,area,level,from\nD-1," + community + ",medium,2026-03-07\n"
	res, err := e.svc.Designate(ctx, hq, designationRows(t, openEnded))
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Status(ctx, who, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicates != 1 || res.Stays != 0 || st.Color != healthcode.Green {
		t.Errorf("sent again open-ended: %+v, %v; want a duplicate making no stay, green: stored, it ended before the trip", res, st.Color)
	}
}
