package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
	"healthcode/policy"
)

const passCommunity = "330106001002"

// passPack is the core test pack issuing paper passes for 24 h after
// vaccination, a result of the last 48 h and a temperature.
func passPack(t *testing.T) *policy.Pack {
	t.Helper()
	p := corePack(t)
	p.PaperPass = &policy.PaperPass{ValidFor: policy.Duration(24 * time.Hour),
		Needs:      []policy.PassCheck{policy.PassVaccination, policy.PassNucleicAcid, policy.PassTemperature},
		TestWithin: policy.Duration(48 * time.Hour)}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// passWorld is an elderly person of the community, the community's worker
// and the feeds that record their vaccination and tests.
type passWorld struct {
	e       *testEnv
	number  string
	person  int64
	worker  *healthcode.Principal
	citizen *healthcode.Principal
}

func newPassWorld(t *testing.T, opts ...envOption) *passWorld {
	t.Helper()
	e := newEnv(t, append([]envOption{withPolicy(passPack(t))}, opts...)...)
	w := &passWorld{e: e, number: validID(t, "33010619400101001")}
	w.citizen = mustLogin(t, e, "13800000031") // the daughter who applied for her
	in := applyInput(w.number, "王秀英", "13800000031")
	in.Community = passCommunity
	w.person = mustApply(t, e, w.citizen, in).ID
	_, secret := appoint(t, e, permission.Operator(), "sun.community", healthcode.RoleCommunity, passCommunity)
	w.worker, _ = officialLogin(t, e, "sun.community", secret)
	return w
}

func (w *passWorld) vaccinate(t *testing.T, doses int) {
	t.Helper()
	csv := "source_ref,doc_number,at,dose,product\n"
	for d := 1; d <= doses; d++ {
		csv += "V-" + string(rune('0'+d)) + "," + w.number + ",2026-03-01 09:00," + string(rune('0'+d)) + ",CoronaVac\n"
	}
	if _, err := w.e.svc.Ingest(context.Background(), feedKey(t, w.e, "vaccination"), "vaccination",
		feedRows(t, "vaccination", csv, w.e.clock.Now())); err != nil {
		t.Fatal(err)
	}
}

func (w *passWorld) test(t *testing.T, ref string, sampled time.Time, result string) {
	t.Helper()
	s := sampled.In(policy.ChinaTime).Format("2006-01-02 15:04")
	csv := "source_ref,doc_number,at,sampled,result,lab\n" + ref + "," + w.number + "," + s + "," + s + "," + result + ",西湖检测所\n"
	if _, err := w.e.svc.Ingest(context.Background(), feedKey(t, w.e, "lab"), "lab",
		feedRows(t, "lab", csv, w.e.clock.Now())); err != nil {
		t.Fatal(err)
	}
}

func celsius(c float64) *float64 { return &c }

func (w *passWorld) ready(t *testing.T) {
	t.Helper()
	w.vaccinate(t, 2)
	w.test(t, "L-1", w.e.clock.Now().Add(-20*time.Hour), "negative")
}

func (w *passWorld) issue(t *testing.T) *service.Pass {
	t.Helper()
	ps, err := w.e.svc.IssuePass(context.Background(), w.worker, w.person, service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)})
	if err != nil {
		t.Fatalf("IssuePass: %v", err)
	}
	return ps
}

func TestACommunityWorkerIssuesAPaperPassThatVerifiesAsAPass(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		w := newPassWorld(t, opts...)
		w.ready(t)
		ctx := context.Background()
		ps := w.issue(t)
		now := w.e.clock.Now()
		if ps.Name != "王*英" || ps.Community != passCommunity || !ps.ValidUntil.Equal(now.Add(24*time.Hour).Truncate(time.Second)) ||
			len(ps.PassID) != 24 || !strings.HasPrefix(ps.Token, "HCN1:") {
			t.Errorf("pass = %+v", ps)
		}
		if p := storedPerson(t, w.e, w.person); strings.Contains(string(p.CodeID), ps.PassID) || ps.PassID == string(p.CodeID) {
			t.Errorf("the pass id is the person's code id")
		}
		facts := storedFacts(t, w.e, w.person)
		if last := facts[len(facts)-1]; last.Temperature == nil || last.Temperature.Celsius != 36.5 {
			t.Errorf("the temperature taken is not recorded: %+v", last)
		}
		gate := checkpoint(t, w.e, "gate-1")
		for _, who := range []*healthcode.Principal{gate, nil} {
			v, err := w.e.svc.Verify(ctx, who, service.VerifyInput{Token: ps.Token})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Valid || !v.Pass || v.Kind != "pass" || v.PassID != ps.PassID || !v.ValidUntil.Equal(ps.ValidUntil) ||
				v.Name != "王*英" || v.Color != healthcode.Green {
				t.Errorf("verified by %v: %+v", who, v)
			}
		}
		// The page printed again shows the same pass.
		sheet, err := w.e.svc.PassSheet(ctx, w.worker, ps.PassID)
		if err != nil || sheet.Token != ps.Token {
			t.Errorf("PassSheet: %+v, %v; want the same token", sheet, err)
		}
		list, err := w.e.svc.PersonPasses(ctx, w.worker, w.person)
		if err != nil || len(list) != 1 || list[0].PassID != ps.PassID || list[0].Token != "" {
			t.Errorf("PersonPasses: %+v, %v", list, err)
		}
		var issued *healthcode.LogEntry
		for _, le := range logged(t, w.e) {
			if le.Kind == healthcode.LogPassIssued {
				issued = le
			}
		}
		if issued == nil || issued.Author.Official != w.worker.OfficialID || issued.Pass.Division != passCommunity {
			t.Errorf("pass-issued entry %+v", issued)
		}
		recs, err := w.e.store.LogEntries(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			for _, secret := range []string{w.number, "王秀英", ps.PassID, `"person`} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("log entry names %q: %s", secret, r.Body)
				}
			}
		}
		if strings.Contains(w.e.logs.String(), w.number) {
			t.Errorf("the service's log holds the ID number")
		}
	})
}

func TestAPaperPassIsRefusedSayingWhichCheckFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		setup  func(w *passWorld, t *testing.T)
		in     func(w *passWorld) service.PassInput
		fields []string
	}{
		{"id number of someone else", (*passWorld).ready,
			func(w *passWorld) service.PassInput {
				return service.PassInput{IDNumber: validID(t, "33010619400101002"), Temperature: celsius(36.5)}
			}, []string{"id_number"}},
		{"id number missing", (*passWorld).ready,
			func(w *passWorld) service.PassInput { return service.PassInput{Temperature: celsius(36.5)} }, []string{"id_number"}},
		{"temperature missing", (*passWorld).ready,
			func(w *passWorld) service.PassInput { return service.PassInput{IDNumber: w.number} }, []string{"temperature"}},
		{"fever", (*passWorld).ready,
			func(w *passWorld) service.PassInput {
				return service.PassInput{IDNumber: w.number, Temperature: celsius(38.1)}
			},
			[]string{"color", "temperature"}},
		{"no vaccination", func(w *passWorld, t *testing.T) { w.test(t, "L-1", w.e.clock.Now().Add(-time.Hour), "negative") },
			func(w *passWorld) service.PassInput {
				return service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
			},
			[]string{"vaccination"}},
		{"primary course not complete", func(w *passWorld, t *testing.T) {
			w.vaccinate(t, 1)
			w.test(t, "L-1", w.e.clock.Now().Add(-time.Hour), "negative")
		}, func(w *passWorld) service.PassInput {
			return service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
		},
			[]string{"vaccination"}},
		{"no nucleic-acid result", func(w *passWorld, t *testing.T) { w.vaccinate(t, 2) },
			func(w *passWorld) service.PassInput {
				return service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
			},
			[]string{"nucleic_acid"}},
		{"result too old", func(w *passWorld, t *testing.T) {
			w.vaccinate(t, 2)
			w.test(t, "L-1", w.e.clock.Now().Add(-49*time.Hour), "negative")
		}, func(w *passWorld) service.PassInput {
			return service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
		},
			[]string{"nucleic_acid"}},
		{"colour red", func(w *passWorld, t *testing.T) {
			w.ready(t)
			in := applyInput(w.number, "王秀英", "13800000031", declaringContact)
			in.Community = passCommunity
			if _, err := w.e.svc.Reapply(context.Background(), w.citizen, w.person, in); err != nil {
				t.Fatal(err)
			}
		}, func(w *passWorld) service.PassInput {
			return service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
		},
			[]string{"color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newPassWorld(t)
			tc.setup(w, t)
			_, err := w.e.svc.IssuePass(context.Background(), w.worker, w.person, tc.in(w))
			wantCode(t, err, healthcode.EINVALID)
			if got := fieldNames(err); !slices.Equal(got, tc.fields) {
				t.Errorf("refused naming %v, want %v (%v)", got, tc.fields, err)
			}
			if list, _ := w.e.store.PassesOf(context.Background(), w.person); len(list) != 0 {
				t.Errorf("a refused pass was stored: %+v", list)
			}
		})
	}
}

func TestOnlyACommunityWorkerOfThePersonsCommunityIssuesAPass(t *testing.T) {
	t.Parallel()
	w := newPassWorld(t)
	w.ready(t)
	ctx := context.Background()
	e := w.e
	_, s1 := appoint(t, e, permission.Operator(), "other.community", healthcode.RoleCommunity, "330106001003")
	otherWorker, _ := officialLogin(t, e, "other.community", s1)
	_, s2 := appoint(t, e, permission.Operator(), "street.one", healthcode.RoleStreet, "330106001")
	street, _ := officialLogin(t, e, "street.one", s2)
	in := service.PassInput{IDNumber: w.number, Temperature: celsius(36.5)}
	for _, tc := range []struct {
		name string
		who  *healthcode.Principal
		want string
	}{
		// The attack: a worker of another community, who knows the
		// person's id and even their ID number, issues them a pass.
		{"a worker of another community", otherWorker, healthcode.EFORBIDDEN},
		{"a street reviewer", street, healthcode.EFORBIDDEN},
		{"a checkpoint key", checkpoint(t, e, "gate-1"), healthcode.EFORBIDDEN},
		{"the person's own family", w.citizen, healthcode.EFORBIDDEN},
		{"no one logged in", nil, healthcode.EFORBIDDEN},
	} {
		_, err := e.svc.IssuePass(ctx, tc.who, w.person, in)
		if healthcode.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	if _, err := e.svc.IssuePass(ctx, w.worker, w.person+100, in); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		t.Errorf("a person who does not exist: %v", err)
	}
	ps := w.issue(t)
	for _, who := range []*healthcode.Principal{otherWorker, street} {
		if _, err := e.svc.RevokePass(ctx, who, ps.PassID); healthcode.ErrorCode(err) != healthcode.EFORBIDDEN {
			t.Errorf("revoked by %s of %s: %v, want forbidden", who.Role, who.Region, err)
		}
		if _, err := e.svc.PassSheet(ctx, who, ps.PassID); healthcode.ErrorCode(err) != healthcode.EFORBIDDEN {
			t.Errorf("printed by %s of %s: %v, want forbidden", who.Role, who.Region, err)
		}
	}
	if list, _ := e.store.PassesOf(ctx, w.person); len(list) != 1 {
		t.Errorf("%d passes stored, want the one its own worker issued", len(list))
	}
}

func TestARegionWhosePackIssuesNoPassesRefusesThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // the core pack has no paper_pass
	citizen := mustLogin(t, e, "13800000032")
	number := validID(t, "33010619400101003")
	in := applyInput(number, "王秀英", "13800000032")
	in.Community = passCommunity
	p := mustApply(t, e, citizen, in)
	_, secret := appoint(t, e, permission.Operator(), "sun.community", healthcode.RoleCommunity, passCommunity)
	worker, _ := officialLogin(t, e, "sun.community", secret)
	_, err := e.svc.IssuePass(context.Background(), worker, p.ID, service.PassInput{IDNumber: number, Temperature: celsius(36.5)})
	wantCode(t, err, healthcode.ECONFLICT)
}

func TestAPaperPassStopsPassingWhenTheColourTurnsRedExpiresAndIsRevoked(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		w := newPassWorld(t, opts...)
		w.ready(t)
		ctx := context.Background()
		gate := checkpoint(t, w.e, "gate-1")
		ps := w.issue(t)

		if v, err := w.e.svc.Verify(ctx, gate, service.VerifyInput{Token: ps.Token}); err != nil || !v.Pass {
			t.Fatalf("a fresh pass: %+v, %v; want it to pass", v, err)
		}
		// The holder's family declares a contact with a case: red.
		in := applyInput(w.number, "王秀英", "13800000031", declaringContact)
		in.Community = passCommunity
		if _, err := w.e.svc.Reapply(ctx, w.citizen, w.person, in); err != nil {
			t.Fatal(err)
		}
		for _, who := range []*healthcode.Principal{gate, nil} {
			v, err := w.e.svc.Verify(ctx, who, service.VerifyInput{Token: ps.Token})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Valid || v.Pass || v.Color != healthcode.Red || v.TokenColor != healthcode.Green || v.Kind != "pass" {
				t.Errorf("after turning red, verified by %v: %+v, want the pass valid but refused, red", who, v)
			}
		}
		w.e.clock.Advance(24*time.Hour + time.Second)
		if v, _ := w.e.svc.Verify(ctx, gate, service.VerifyInput{Token: ps.Token}); v.Valid || v.Reason != "expired" {
			t.Errorf("after its validity: %+v, want expired", v)
		}
		if _, err := w.e.svc.PassSheet(ctx, w.worker, ps.PassID); healthcode.ErrorCode(err) != healthcode.ECONFLICT {
			t.Errorf("printing an expired pass: %v, want a conflict", err)
		}

		w.e.clock.Advance(14 * 24 * time.Hour) // the isolation ends
		w.test(t, "L-2", w.e.clock.Now().Add(-time.Hour), "negative")
		second := w.issue(t)
		if _, err := w.e.svc.RevokePass(ctx, w.worker, second.PassID); err != nil {
			t.Fatal(err)
		}
		if v, _ := w.e.svc.Verify(ctx, gate, service.VerifyInput{Token: second.Token}); v.Valid || v.Pass || v.Reason != "revoked" {
			t.Errorf("a revoked pass: %+v, want refused as revoked", v)
		}
		if _, err := w.e.svc.RevokePass(ctx, w.worker, second.PassID); healthcode.ErrorCode(err) != healthcode.ECONFLICT {
			t.Errorf("revoked twice: %v, want a conflict", err)
		}
		if _, err := w.e.svc.RevokePass(ctx, w.worker, "not-a-pass"); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
			t.Errorf("revoking no pass: %v", err)
		}
		kinds := map[healthcode.LogKind]int{}
		for _, le := range logged(t, w.e) {
			kinds[le.Kind]++
		}
		if kinds[healthcode.LogPassIssued] != 2 || kinds[healthcode.LogPassRevoked] != 1 {
			t.Errorf("logged %v, want 2 passes issued and 1 revoked", kinds)
		}
	})
}

func TestACheckpointLooksAPersonUpByIDNumberLogged(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		w := newPassWorld(t, opts...)
		ctx := context.Background()
		gate := checkpoint(t, w.e, "gate-1")
		v, err := w.e.svc.LookUpPerson(ctx, gate, service.LookupInput{Number: strings.ToLower(w.number), Temperature: celsius(36.6)})
		if err != nil {
			t.Fatal(err)
		}
		if !v.Valid || !v.Pass || v.Kind != "id_number" || v.Name != "王*英" || v.IDTail != w.number[14:] || v.Why == nil {
			t.Errorf("looked up: %+v", v)
		}
		none, err := w.e.svc.LookUpPerson(ctx, gate, service.LookupInput{Number: validID(t, "33010619400101009")})
		if err != nil || none.Valid || none.Reason != "no_such_person" || none.Name != "" || none.IDTail != "" {
			t.Errorf("an unknown number: %+v, %v; want no_such_person and nothing more", none, err)
		}
		_, err = w.e.svc.LookUpPerson(ctx, gate, service.LookupInput{Number: "12345"})
		wantCode(t, err, healthcode.EINVALID)
		for _, who := range []*healthcode.Principal{nil, w.citizen, w.worker} {
			_, err := w.e.svc.LookUpPerson(ctx, who, service.LookupInput{Number: w.number})
			wantCode(t, err, healthcode.EFORBIDDEN)
		}
		var found []bool
		for _, le := range logged(t, w.e) {
			if le.Kind == healthcode.LogPersonLookedUp {
				found = append(found, le.Lookup.Found)
				if le.Author.Role != healthcode.RoleCheckpoint || le.Author.Key != gate.KeyID {
					t.Errorf("look-up logged by %+v, want the checkpoint's key %d", le.Author, gate.KeyID)
				}
			}
		}
		if !slices.Equal(found, []bool{true, false}) {
			t.Errorf("look-ups logged %v, want found then not", found)
		}
		recs, _ := w.e.store.LogEntries(ctx, 0, 1000)
		for _, r := range recs {
			if strings.Contains(string(r.Body), w.number) || strings.Contains(string(r.Body), w.number[14:]+`"`) {
				t.Errorf("log entry names the number: %s", r.Body)
			}
		}
		if strings.Contains(w.e.logs.String(), w.number) || strings.Contains(w.e.logs.String(), "33010619400101009") {
			t.Errorf("the service's log holds an ID number")
		}
	})
}
