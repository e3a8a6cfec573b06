package service_test

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// official is an official's principal, as the officials' login will make
// it: a role, an account id and a scope.
func official(role healthcode.Role, id int64, scope string) *healthcode.Principal {
	return &healthcode.Principal{Role: role, OfficialID: id, Region: scope}
}

// releaseList decodes a CSV release list as the API does.
func releaseList(t *testing.T, point, csv string, now time.Time) service.ReleaseList {
	t.Helper()
	list := service.ReleaseList{Point: point}
	rows, err := ingest.NewReleaseDecoder(strings.NewReader(csv), now).ReleaseRows(func(r ingest.Rejection) {
		list.Rejected = append(list.Rejected, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(csv))
	list.Rows, list.SHA256 = rows, sum[:]
	return list
}

// isolated applies for a person in region and makes them a close
// contact by the contact feed: red, in 14 days of centralized isolation
// under the 2022 transfer rules.
func isolated(t *testing.T, e *testEnv, number, phone, region string) *service.PersonView {
	t.Helper()
	who := mustLogin(t, e, phone)
	in := applyInput(number, "孙七", phone)
	in.Region = region
	p := mustApply(t, e, who, in)
	csv := "source_ref,doc_number,at,type,exposure\nc-" + number + "," + number + ",2026-03-10 09:00,close,2026-03-09 20:00\n"
	if _, err := e.svc.Ingest(context.Background(), feedKey(t, e, "contact"), "contact", feedRows(t, "contact", csv, start)); err != nil {
		t.Fatal(err)
	}
	return p
}

// releaseFact is the id of the person's release fact from a list.
func releaseFact(t *testing.T, e *testEnv, id int64) int64 {
	t.Helper()
	for _, f := range storedFacts(t, e, id) {
		if f.Source == "release-list" && f.Author == "official:3" && f.Isolation.Event == healthcode.IsolationRelease {
			return f.ID
		}
	}
	t.Fatalf("person %d has no release fact from a list", id)
	return 0
}

func colourOf(t *testing.T, e *testEnv, id int64) healthcode.Color {
	t.Helper()
	return storedPerson(t, e, id).Status.Color
}

func TestReleaseListTurnsCentralizedIsolationYellowWithoutApplication(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		ids := []string{validID(t, "33010619800101201"), validID(t, "33010619800101202"), validID(t, "33010619800101203")}
		var persons []*service.PersonView
		for i, n := range ids {
			persons = append(persons, isolated(t, e, n, "1390008000"+string(rune('1'+i)), "330106"))
		}
		outside := validID(t, "33010819800101204")
		far := isolated(t, e, outside, "13900080004", "330108")
		greenID := validID(t, "33010619800101205")
		green := mustApply(t, e, mustLogin(t, e, "13900080005"), applyInput(greenID, "周八", "13900080005"))
		early := validID(t, "33010619800101206")
		earlyP := isolated(t, e, early, "13900080006", "330106")
		notApplied := validID(t, "33010619800101207")
		for _, p := range append(persons, far, earlyP) {
			if c := colourOf(t, e, p.ID); c != healthcode.Red {
				t.Fatalf("person %d is %v before the list, want red", p.ID, c)
			}
		}
		e.clock.Advance(72 * time.Hour)
		csv := "doc_type,doc_number,released_at\n" +
			"resident_id," + ids[0] + ",2026-03-13 09:00\n" +
			"," + ids[1] + ",2026-03-13 09:00\n" +
			"resident_id," + ids[2] + ",2026-03-13 09:30\n" +
			"resident_id," + outside + ",2026-03-13 09:00\n" +
			"resident_id," + greenID + ",2026-03-13 09:00\n" +
			"resident_id," + early + ",2026-03-09 09:00\n" +
			"resident_id," + notApplied + ",2026-03-13 09:00\n" +
			"resident_id," + ids[0] + ",2026-03-13 09:00\n"
		op := official(healthcode.RoleIsolation, 3, "330106")
		rep, err := e.svc.UploadReleaseList(ctx, op, releaseList(t, "西湖区第一隔离点", csv, e.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		want := []service.ReleaseRowOutcome{"released", "released", "released", "out_of_scope", "not_isolated",
			"before_start", "pending", "duplicate"}
		wantFields := []string{"", "", "", "doc_number", "doc_number", "released_at", "", "doc_number"}
		for i, r := range rep.Results {
			if r.Row != i+2 || r.Outcome != want[i] || r.Field != wantFields[i] {
				t.Errorf("row %d: %+v, want row %d %s at %q", i, r, i+2, want[i], wantFields[i])
			}
		}
		if rep.Rows != 8 || rep.Released != 3 || rep.Pending != 1 || rep.Refused != 4 || rep.Recoloured != 3 || rep.Repeat {
			t.Errorf("report %+v, want 8 rows: 3 released, 1 pending, 4 refused, 3 recoloured", rep)
		}
		if rep.List.ID == 0 || rep.List.Division != "330106" || rep.List.UploadedBy != "official:3" || rep.List.Released != 3 {
			t.Errorf("list record %+v", rep.List)
		}
		for _, p := range persons {
			st := storedPerson(t, e, p.ID).Status
			h := storedHistory(t, e, p.ID)
			last := h[len(h)-1]
			if st.Color != healthcode.Yellow || last.From != healthcode.Red || last.To != healthcode.Yellow ||
				!strings.Contains(last.Rule, "close-contact/home-monitoring") {
				t.Errorf("person %d after the list: %v (%s), last change %v → %v by %s; want yellow by home monitoring",
					p.ID, st.Color, st.Reason.En, last.From, last.To, last.Rule)
			}
			if release := releaseFact(t, e, p.ID); !slices.Contains(last.FactIDs, release) {
				t.Errorf("person %d's change to yellow names facts %v, not the release %d", p.ID, last.FactIDs, release)
			}
		}
		for _, p := range []*service.PersonView{far, earlyP} {
			if c := colourOf(t, e, p.ID); c != healthcode.Red {
				t.Errorf("refused person %d is %v, want still red", p.ID, c)
			}
		}
		if c := colourOf(t, e, green.ID); c != healthcode.Green {
			t.Errorf("green person is %v after a refused row", c)
		}

		// The same file again changes nothing: no fact, no colour, no record.
		before := storedHistory(t, e, persons[0].ID)
		again, err := e.svc.UploadReleaseList(ctx, op, releaseList(t, "西湖区第一隔离点", csv, e.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Repeat || again.List.ID != rep.List.ID || again.Released != 0 || again.Recoloured != 0 ||
			again.Results[0].Outcome != "already_released" {
			t.Errorf("the list again: %+v; want a repeat of list %d releasing nobody", again, rep.List.ID)
		}
		if got := storedHistory(t, e, persons[0].ID); len(got) != len(before) {
			t.Errorf("the list again wrote history: %d entries, had %d", len(got), len(before))
		}
		lists, err := e.svc.ReleaseLists(ctx, op)
		if err != nil || len(lists) != 1 {
			t.Errorf("ReleaseLists = %+v, %v; want the one list", lists, err)
		}
	}, withPolicy(mustShipped(t, "transfer-rules-2022")))
}

func TestReleaseListIsRefusedWholeForABadRowOrAWrongCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(mustShipped(t, "transfer-rules-2022")))
	ctx := context.Background()
	good := validID(t, "33010619800101301")
	op := official(healthcode.RoleIsolation, 3, "330106")
	tests := []struct {
		name   string
		who    *healthcode.Principal
		csv    string
		div    string
		code   string
		fields []string
	}{
		{"a bad number and a future release", op, "doc_number,released_at\n" + good + ",2026-03-10 09:00\n110105,2026-03-10 09:00\n" +
			good + ",2026-04-01 09:00\n", "", healthcode.EINVALID, []string{"row 3: doc_number", "row 4: released_at"}},
		{"a district of another city", op, "doc_number,released_at\n" + good + ",2026-03-10 09:00\n", "330108", healthcode.EFORBIDDEN, nil},
		{"a community worker", official(healthcode.RoleCommunity, 4, "330106"), "doc_number,released_at\n" + good + ",2026-03-10 09:00\n",
			"", healthcode.EFORBIDDEN, nil},
		{"a district officer", official(healthcode.RoleDistrict, 5, "330106"), "doc_number,released_at\n" + good + ",2026-03-10 09:00\n",
			"", healthcode.EFORBIDDEN, nil},
		{"no one", nil, "doc_number,released_at\n" + good + ",2026-03-10 09:00\n", "", healthcode.EUNAUTHORIZED, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := releaseList(t, "隔离点", tt.csv, e.clock.Now())
			list.Division = tt.div
			_, err := e.svc.UploadReleaseList(ctx, tt.who, list)
			wantCode(t, err, tt.code)
			if got := strings.Join(fieldNames(err), ","); got != strings.Join(tt.fields, ",") {
				t.Errorf("fields %s, want %s", got, strings.Join(tt.fields, ","))
			}
		})
	}
	if ls, err := e.svc.ReleaseLists(ctx, op); err != nil || len(ls) != 0 {
		t.Errorf("after refusals ReleaseLists = %+v, %v; want none", ls, err)
	}
}

func TestFindingTurnsRedAtOnceWithACreditRecordOnlyTheirOwnerReads(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900090001"
		number := validID(t, "33010619800101401")
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(number, "吴九", phone))
		if p.Status.Color != healthcode.Green {
			t.Fatalf("applied %v, want green", p.Status.Color)
		}
		officer := official(healthcode.RoleDistrict, 7, "330106")
		in := service.Finding{Finding: "declared no travel in 14 days; rail records show a stay in a high-risk area",
			Evidence: "DC-2026-0312"}
		for _, bad := range []struct {
			who  *healthcode.Principal
			in   service.Finding
			code string
		}{
			{official(healthcode.RoleIsolation, 3, "330106"), in, healthcode.EFORBIDDEN},
			{official(healthcode.RoleCommunity, 4, "330106"), in, healthcode.EFORBIDDEN},
			{official(healthcode.RoleDistrict, 8, "330108"), in, healthcode.EFORBIDDEN},
			{who, in, healthcode.EFORBIDDEN},
			{officer, service.Finding{Finding: "lied"}, healthcode.EINVALID},
		} {
			_, err := e.svc.RecordFinding(ctx, bad.who, p.ID, bad.in)
			wantCode(t, err, bad.code)
		}
		if c := colourOf(t, e, p.ID); c != healthcode.Green {
			t.Fatalf("after refused findings the code is %v", c)
		}
		res, err := e.svc.RecordFinding(ctx, officer, p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status.Color != healthcode.Red || colourOf(t, e, p.ID) != healthcode.Red {
			t.Fatalf("after the finding: %v, want red at once", res.Status.Color)
		}
		var red *healthcode.LogEntry
		for _, le := range logged(t, e) {
			if le.Kind == healthcode.LogHistory && le.History.To == healthcode.Red {
				red = le
			}
		}
		if red == nil || !slices.Equal(red.History.FactOfficials, []int64{7}) {
			t.Errorf("the public change to red %+v; want it on official 7's word", red)
		}
		view, err := e.svc.Person(ctx, who, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Credit) != 1 || view.Credit[0].Finding != in.Finding || view.Credit[0].Evidence != in.Evidence ||
			view.Credit[0].RecordedBy != "official:7" {
			t.Errorf("the person's view shows credit %+v", view.Credit)
		}
		if cs, err := e.svc.CreditRecords(ctx, who, p.ID); err != nil || len(cs) != 1 {
			t.Errorf("CreditRecords to the owner = %+v, %v", cs, err)
		}
		_, err = e.svc.CreditRecords(ctx, mustLogin(t, e, "13900090002"), p.ID)
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.CreditRecords(ctx, official(healthcode.RoleStreet, 9, "330108001"), p.ID)
		wantCode(t, err, healthcode.EFORBIDDEN)
		if cs, err := e.svc.CreditRecords(ctx, official(healthcode.RoleAuditor, 9, "330100"), p.ID); err != nil || len(cs) != 1 {
			t.Errorf("CreditRecords to an auditor of the city = %+v, %v", cs, err)
		}
	}, withPolicy(mustShipped(t, "zhejiang-hangzhou-2020")))
}

// The public log's entries of a release list and a finding name the
// official by role and id, and nobody's identity, finding or point.
func TestFindingsLogOfficialsAndNoPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(mustShipped(t, "transfer-rules-2022")))
	ctx := context.Background()
	number := validID(t, "33010619800101501")
	p := isolated(t, e, number, "13900095001", "330106")
	csv := "doc_number,released_at\n" + number + ",2026-03-10 09:30\n"
	if _, err := e.svc.UploadReleaseList(ctx, official(healthcode.RoleIsolation, 3, "330106"), releaseList(t, "西湖区第一隔离点", csv, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	finding := service.Finding{Finding: "declared no contact; the investigation found a shared dinner", Evidence: "DC-77"}
	if _, err := e.svc.RecordFinding(ctx, official(healthcode.RoleDistrict, 7, "330106"), p.ID, finding); err != nil {
		t.Fatal(err)
	}
	var release, found, yellow *healthcode.LogEntry
	for _, le := range logged(t, e) {
		if le.Kind == healthcode.LogHistory && le.History.To == healthcode.Yellow {
			yellow = le
		}
		switch le.Kind {
		case healthcode.LogReleaseList:
			release = le
		case healthcode.LogFindingRecorded:
			found = le
		}
	}
	if release == nil || release.Author != (healthcode.LogAuthor{Role: healthcode.RoleIsolation, Official: 3}) ||
		release.Release.Division != "330106" || release.Release.Rows != 1 || release.Release.Released != 1 {
		t.Errorf("release list entry %+v", release)
	}
	if yellow == nil || !slices.Equal(yellow.History.FactOfficials, []int64{3}) {
		t.Errorf("the public change to yellow %+v; want it on official 3's word", yellow)
	}
	if found == nil || found.Author != (healthcode.LogAuthor{Role: healthcode.RoleDistrict, Official: 7}) || found.Finding.Record == 0 {
		t.Errorf("finding entry %+v", found)
	}
	recs, err := e.store.LogEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, secret := range []string{number, number[len(number)-4:] + `"`, "孙七", "13900095001", finding.Finding,
			finding.Evidence, "西湖区第一隔离点", `"person`} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("log entry %d names %q: %s", r.Leaf, secret, r.Body)
			}
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, number) || strings.Contains(logs, finding.Finding) {
		t.Errorf("the service's logs name the identity or the finding")
	}
}
