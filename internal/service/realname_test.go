package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/provider"
	"healthcode/internal/service"
	"healthcode/policy"
)

// register is a real-name register of the tests: who goes with which
// phone. A child has no phone.
func register(t *testing.T, rows ...string) *provider.Register {
	t.Helper()
	reg, err := provider.ReadRegister(strings.NewReader("doc_type,doc_number,name,phone\n"+strings.Join(rows, "\n")+"\n"), start)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func bothStores(t *testing.T, fn func(t *testing.T, opts ...envOption)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, withPostgres()) })
}

// TestSquatterGetsNothingAndTheOwnerGetsTheirFacts is the attack the
// real-name check closes: account B applies with A's ID number, for
// themself and as A's relative. B is refused, nothing is written, and B
// learns nothing (the answers are the same whether or not A's identity is
// registered); A then applies and receives the facts that were waiting.
func TestSquatterGetsNothingAndTheOwnerGetsTheirFacts(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		const phoneA, phoneB, nameA = "13900060001", "13900060002", "周晓燕"
		idA := validID(t, "33010619900101002")
		idX := validID(t, "33010619900202002") // registered to nobody here
		pack, err := policy.LoadShipped("zhejiang-hangzhou-2020")
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, append(opts, withPolicy(pack), withChecker(register(t,
			"resident_id,"+idA+","+nameA+","+phoneA)))...)
		ctx := context.Background()
		// A positive test result waits for A, who has not applied.
		feed := feedKey(t, e, "lab")
		rows := feedRows(t, "lab", "source_ref,doc_number,at,sampled,result\nl-1,"+idA+",2026-03-10 09:30,2026-03-10 08:00,positive\n", start)
		if res, err := e.svc.Ingest(ctx, feed, "lab", rows); err != nil || res.Pending != 1 {
			t.Fatalf("feed = %+v, %v; want 1 pending", res, err)
		}
		b := mustLogin(t, e, phoneB)

		attempts := []struct {
			name string
			in   service.ApplyInput
		}{
			{"self with A's ID on B's phone", applyInput(idA, nameA, phoneB)},
			{"A as a parent on B's phone", applyInput(idA, nameA, phoneB, forRelative(healthcode.RelationParent))},
			{"A as a child on B's phone", applyInput(idA, nameA, phoneB, forRelative(healthcode.RelationChild))},
		}
		for _, a := range attempts {
			_, errA := e.svc.Apply(ctx, b, a.in)
			// The same application for an ID nobody holds: same answer.
			other := a.in
			other.Identity.Number = idX
			_, errX := e.svc.Apply(ctx, b, other)
			if !errors.Is(errA, healthcode.ErrIdentityMismatch) && healthcode.ErrorCode(errA) != healthcode.EINVALID {
				t.Errorf("%s: %v, want refused as invalid", a.name, errA)
			}
			if healthcode.ErrorMessage(errA) != healthcode.ErrorMessage(errX) || !sameFields(errA, errX) {
				t.Errorf("%s: answers differ for a held and a free ID:\n  %v\n  %v", a.name, errA, errX)
			}
		}
		// As a relative with A's own phone: the check passes, a code goes to
		// A's phone, and B cannot guess it.
		asRelative := applyInput(idA, nameA, phoneA, forRelative(healthcode.RelationParent))
		_, err = e.svc.Apply(ctx, b, asRelative)
		if !errors.Is(err, service.ErrConsentRequired) {
			t.Fatalf("relative without consent: %v, want consent required", err)
		}
		sent, err := e.svc.RequestConsent(ctx, b, service.ConsentInput{Relation: asRelative.Relation, Identity: asRelative.Identity, Region: asRelative.Region})
		if err != nil || sent.SentTo != "139****0001" || sent.DevCode != "" {
			t.Fatalf("RequestConsent = %+v, %v; want sent to A's masked phone, no code shown", sent, err)
		}
		code := e.sender.last(t, phoneA)
		for _, guess := range []string{"000000", "123456", "999999"} {
			if guess == code {
				continue
			}
			asRelative.ConsentCode = guess
			if _, err := e.svc.Apply(ctx, b, asRelative); healthcode.ErrorCode(err) != healthcode.EINVALID {
				t.Errorf("guessed consent %s: %v, want refused", guess, err)
			}
		}
		if ps, err := e.store.PersonsByOwner(ctx, b.AccountID); err != nil || len(ps) != 0 {
			t.Fatalf("B manages %d persons (%v), want none: nothing may be written", len(ps), err)
		}

		a := mustLogin(t, e, phoneA)
		v := mustApply(t, e, a, applyInput(idA, nameA, phoneA))
		if v.Status.Color != healthcode.Red {
			t.Errorf("A after applying: %v, want red from the waiting positive test", v.Status.Color)
		}
		if n := len(storedFacts(t, e, v.ID)); n != 2 {
			t.Errorf("A has %d facts, want the declaration and the lab result", n)
		}
	})
}

func sameFields(a, b error) bool {
	fa, fb := healthcode.ErrorFields(a), healthcode.ErrorFields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] != fb[i] {
			return false
		}
	}
	return true
}

// TestOnlyFiveGuessesAreCheckedHoweverManyCodesAreSent spreads 20 wrong
// guesses over re-sent codes within 15 minutes: only 5 are checked, so
// after them even the right code is refused until the window ends.
func TestOnlyFiveGuessesAreCheckedHoweverManyCodesAreSent(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		const phone = "13900060011"
		checked, refused := 0, 0
		for i := range 20 {
			if i%4 == 0 {
				e.clock.Advance(31 * time.Second)
				_, err := e.svc.RequestOTP(ctx, phone)
				if err != nil && healthcode.ErrorCode(err) != healthcode.ELIMIT {
					t.Fatal(err)
				}
			}
			_, err := e.svc.Login(ctx, phone, "000000")
			switch healthcode.ErrorCode(err) {
			case healthcode.EUNAUTHORIZED:
				checked++
			case healthcode.ELIMIT:
				refused++
			default:
				t.Fatalf("guess %d: %v", i, err)
			}
			e.clock.Advance(20 * time.Second)
		}
		if checked != 5 || refused != 15 {
			t.Errorf("%d guesses checked and %d refused, want 5 and 15", checked, refused)
		}
		if _, err := e.svc.RequestOTP(ctx, phone); healthcode.ErrorCode(err) != healthcode.ELIMIT {
			t.Errorf("a new code while the guesses are used up: %v, want refused", err)
		}
		e.clock.Advance(15 * time.Minute)
		if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Login(ctx, phone, e.sender.last(t, phone)); err != nil {
			t.Errorf("the right code after the window: %v", err)
		}
	})
}

func TestNoCodeAndWrongCodeGiveOneAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, none := e.svc.Login(ctx, "13900060021", "123456")
	if _, err := e.svc.RequestOTP(ctx, "13900060022"); err != nil {
		t.Fatal(err)
	}
	_, wrong := e.svc.Login(ctx, "13900060022", wrongCode(e.sender.last(t, "13900060022")))
	if healthcode.ErrorCode(none) != healthcode.EUNAUTHORIZED || none.Error() != wrong.Error() {
		t.Errorf("no code: %v; wrong code: %v; want one and the same unauthorized answer", none, wrong)
	}
}

// TestTheOwnerTakesBackAnIdentityAWrongClaimHolds: a claim made before
// the real-name check (or by a proxy later found wrong) holds A's
// identity; A passes the check on their own phone and takes it back.
func TestTheOwnerTakesBackAnIdentityAWrongClaimHolds(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		const phoneA, phoneB, nameA = "13900060031", "13900060032", "吴志强"
		idA := validID(t, "33010619880303002")
		reg := register(t, "resident_id,"+idA+","+nameA+","+phoneA)
		checking := false
		e := newEnv(t, append(opts, withChecker(checkerFunc(func(id healthcode.Identity) error {
			if !checking {
				return nil // the server before the real-name check
			}
			return reg.CheckIdentity(context.Background(), id)
		})))...)
		ctx := context.Background()
		b := mustLogin(t, e, phoneB)
		squat := mustApply(t, e, b, applyInput(idA, "假名字", phoneB, declaringCough))
		checking = true

		a := mustLogin(t, e, phoneA)
		v := mustApply(t, e, a, applyInput(idA, nameA, phoneA))
		if v.ID != squat.ID || v.Relation != healthcode.RelationSelf || v.Name != "吴*强" {
			t.Errorf("A got person %d (%s, %s), want the held person %d as self, named 吴*强", v.ID, v.Relation, v.Name, squat.ID)
		}
		if _, err := e.svc.Person(ctx, b, squat.ID); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
			t.Errorf("B still reaches the person: %v", err)
		}
		hs := storedHistory(t, e, v.ID)
		var ended *healthcode.HistoryEntry
		for i := range hs {
			if hs[i].Rule == "identity/claim-ended" {
				ended = &hs[i]
			}
		}
		if ended == nil || len(ended.FactIDs) != 1 || ended.Author != a.Author() {
			t.Fatalf("history %+v: want a claim-ended entry by A naming the new declaration", hs)
		}
		h, err := e.svc.History(ctx, a, v.ID)
		if err != nil || !h.Verified {
			t.Errorf("A's history: %+v, %v; want a verified chain", h, err)
		}
		// B may now apply for themself.
		reg2 := register(t, "resident_id,"+idA+","+nameA+","+phoneA, "resident_id,"+validID(t, "33010619880404002")+",郑小红,"+phoneB)
		reg = reg2
		mustApply(t, e, b, applyInput(validID(t, "33010619880404002"), "郑小红", phoneB))
	})
}

func TestProxiesAreChildrenAndElderlyWhereThePackAllows(t *testing.T) {
	t.Parallel()
	const login = "13900060041"
	child := validID(t, "33010620200101002")   // 6 on the test day
	adult := validID(t, "33010619900101002")   // 36
	elderly := validID(t, "33010619500101002") // 76
	tests := []struct {
		name   string
		set    policy.Settings
		number string
		want   string // error code; "" for applied
	}{
		{"child", policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1}, child, ""},
		{"elderly", policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1}, elderly, ""},
		{"adult on the applicant's phone", policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1}, adult, healthcode.EINVALID},
		{"child where proxies are not allowed", policy.Settings{Relatives: true, ModifyLimit: 1}, child, healthcode.EINVALID},
		{"no relatives at all (seed 000 Q4)", policy.Settings{ModifyLimit: 1}, child, healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPolicy(packWith(t, tt.set)))
			who := mustLogin(t, e, login)
			_, err := e.svc.Apply(context.Background(), who, applyInput(tt.number, "孙小宝", login, forRelative(healthcode.RelationChild)))
			wantCode(t, err, tt.want)
		})
	}
}

func TestRelativesPerLoginAreCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(packWith(t, policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1, MaxRelatives: 2})))
	const login = "13900060051"
	who := mustLogin(t, e, login)
	mustApply(t, e, who, applyInput(validID(t, "33010620200101002"), "孙一", login, forRelative(healthcode.RelationChild)))
	mustApply(t, e, who, applyInput(validID(t, "33010620200102002"), "孙二", login, forRelative(healthcode.RelationChild)))
	_, err := e.svc.Apply(context.Background(), who, applyInput(validID(t, "33010620200103002"), "孙三", login, forRelative(healthcode.RelationChild)))
	wantCode(t, err, healthcode.ELIMIT)
	mustApply(t, e, who, applyInput(validID(t, "33010619900101002"), "孙大", login)) // oneself is no relative
}

func TestApplicationsWaitWhenTheCheckIsDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withChecker(checkerFunc(func(healthcode.Identity) error { return healthcode.ErrIdentityUnavailable })))
	const login = "13900060061"
	who := mustLogin(t, e, login)
	_, err := e.svc.Apply(context.Background(), who, applyInput(validID(t, "33010619900101002"), "钱一", login))
	wantCode(t, err, healthcode.EUNAVAILABLE)
	if ps, _ := e.store.PersonsByOwner(context.Background(), who.AccountID); len(ps) != 0 {
		t.Errorf("%d persons stored while the check was down, want none", len(ps))
	}
}
