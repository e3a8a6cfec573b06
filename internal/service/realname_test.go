package service_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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
		if fa[i].Field != fb[i].Field || fa[i].In("zh") != fb[i].In("zh") || fa[i].In("en") != fb[i].In("en") {
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
			return reg.CheckIdentity(context.Background(), healthcode.IdentityClaim{Identity: id})
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
		if le := loggedHistory(t, e, ended.Hash); le == nil || le.Rule != "identity/claim-ended" ||
			le.Author != (healthcode.LogAuthor{Role: healthcode.RoleCitizen}) {
			t.Errorf("public log entry of the claim taken back: %+v; want it, by a citizen, naming no account", le)
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
	wantCode(t, err, healthcode.EFORBIDDEN)
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

// TestGuessesAcrossAWindowEdgeAreStillFive is the edge a fixed window
// would leave: one guess, four just before 15 minutes are up and five
// just after. A run ends only after 15 quiet minutes, so five are checked.
func TestGuessesAcrossAWindowEdgeAreStillFive(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		const phone = "13900070011"
		if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
			t.Fatal(err)
		}
		checked := 0
		guess := func() {
			if _, err := e.svc.Login(ctx, phone, "000000"); healthcode.ErrorCode(err) == healthcode.EUNAUTHORIZED {
				checked++
			}
		}
		guess()
		e.clock.Advance(14*time.Minute + 50*time.Second)
		for range 4 {
			guess()
		}
		e.clock.Advance(10 * time.Second)
		for range 5 {
			guess()
		}
		if checked != 5 {
			t.Errorf("%d guesses checked within 15 minutes and 10 seconds, want 5", checked)
		}
	})
}

// TestRelativesCapHoldsWhenApplicationsRace sends eight applications for
// children at once against a cap of two.
func TestRelativesCapHoldsWhenApplicationsRace(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		set := policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1, MaxRelatives: 2}
		e := newEnv(t, append(opts, withPolicy(packWith(t, set)))...)
		const login = "13900070051"
		who := mustLogin(t, e, login)
		var wg sync.WaitGroup
		for i := range 8 {
			number := validID(t, fmt.Sprintf("3301062020010%d002", i+1))
			wg.Go(func() {
				_, err := e.svc.Apply(context.Background(), who, applyInput(number, "孙小宝", login, forRelative(healthcode.RelationChild)))
				if err != nil && healthcode.ErrorCode(err) != healthcode.EFORBIDDEN {
					t.Errorf("application %d: %v, want stored or refused at the cap", i, err)
				}
			})
		}
		wg.Wait()
		if ps, _ := e.store.PersonsByOwner(context.Background(), who.AccountID); len(ps) != 2 {
			t.Errorf("%d relatives stored, want the cap of 2", len(ps))
		}
	})
}

// TestALoginAtItsCapCannotProbeWhoIsRegistered: at the cap, a child held
// by another login and a free one get the same answer.
func TestALoginAtItsCapCannotProbeWhoIsRegistered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(packWith(t, policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1, MaxRelatives: 1})))
	ctx := context.Background()
	const loginA, loginB = "13900070061", "13900070062"
	a := mustLogin(t, e, loginA)
	held := validID(t, "33010620200101002")
	mustApply(t, e, a, applyInput(held, "孙小宝", loginA, forRelative(healthcode.RelationChild)))
	b := mustLogin(t, e, loginB)
	mustApply(t, e, b, applyInput(validID(t, "33010620200102002"), "孙小二", loginB, forRelative(healthcode.RelationChild)))
	_, errHeld := e.svc.Apply(ctx, b, applyInput(held, "孙小宝", loginB, forRelative(healthcode.RelationChild)))
	_, errFree := e.svc.Apply(ctx, b, applyInput(validID(t, "33010620200103002"), "孙小宝", loginB, forRelative(healthcode.RelationChild)))
	if errHeld == nil || errHeld.Error() != errFree.Error() {
		t.Errorf("a held ID answers %v, a free one %v; want one answer", errHeld, errFree)
	}
}

// squatted makes a person of B's that holds A's identity, as a server
// without the real-name check would have, then turns the check on.
func squatted(t *testing.T, opts []envOption, idA, nameA, phoneA, phoneB string, decl ...applyOpt) (*testEnv, *service.PersonView) {
	t.Helper()
	reg := register(t, "resident_id,"+idA+","+nameA+","+phoneA)
	checking := false
	e := newEnv(t, append(opts, withChecker(checkerFunc(func(id healthcode.Identity) error {
		if !checking {
			return nil
		}
		return reg.CheckIdentity(context.Background(), healthcode.IdentityClaim{Identity: id})
	})))...)
	squat := mustApply(t, e, mustLogin(t, e, phoneB), applyInput(idA, "假名字", phoneB, decl...))
	checking = true
	return e, squat
}

// TestTakeBackSetsAsideWhatTheWrongClaimSaid: B declared contact with
// cases; A, taking the identity back with a clean declaration, is green,
// and a code B was shown no longer verifies.
func TestTakeBackSetsAsideWhatTheWrongClaimSaid(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		const phoneA, phoneB, nameA = "13900070031", "13900070032", "吴志强"
		idA := validID(t, "33010619880303002")
		e, squat := squatted(t, opts, idA, nameA, phoneA, phoneB, declaringContact)
		ctx := context.Background()
		if squat.Status.Color != healthcode.Red {
			t.Fatalf("the squatter's declared contact: %s, want red", squat.Status.Color)
		}
		b, err := e.svc.Authenticate(ctx, mustSession(t, e, phoneB))
		if err != nil {
			t.Fatal(err)
		}
		shown, err := e.svc.Code(ctx, b, squat.ID)
		if err != nil {
			t.Fatal(err)
		}
		v := mustApply(t, e, mustLogin(t, e, phoneA), applyInput(idA, nameA, phoneA))
		if v.Status.Color != healthcode.Green {
			t.Errorf("A after taking back: %s by %s, want green: B's declaration is not A's", v.Status.Color, v.Status.Rule)
		}
		for _, f := range storedFacts(t, e, v.ID) {
			if f.Author == b.Author() {
				t.Errorf("fact %d by the wrong claim (%s) is still evaluated", f.ID, f.Kind)
			}
		}
		ver, err := e.svc.Verify(ctx, nil, service.VerifyInput{Token: shown.Token})
		if err != nil {
			t.Fatal(err)
		}
		if ver.Valid {
			t.Errorf("the code B was shown still verifies: %+v", ver)
		}
	})
}

// TestTakeBackWaitsForAHolderWhoChangesTheRecord: while A takes the
// identity back, B re-applies the person to another identity; A must not
// take what is now someone else's record.
func TestTakeBackWaitsForAHolderWhoChangesTheRecord(t *testing.T) {
	t.Parallel()
	const phoneA, phoneB, nameA = "13900070131", "13900070132", "吴志强"
	idA := validID(t, "33010619880303002")
	e, squat := squatted(t, []envOption{withPostgres()}, idA, nameA, phoneA, phoneB)
	ctx := context.Background()
	a := mustLogin(t, e, phoneA)
	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- e.store.Update(ctx, func(tx healthcode.Tx) error {
			p, err := tx.LockPerson(ctx, squat.ID)
			if err != nil {
				return err
			}
			close(locked)
			<-release
			p.IDHash = []byte("another identity's hash, 32 byte")
			return tx.UpdatePerson(ctx, p)
		})
	}()
	<-locked
	var v *service.PersonView
	var err error
	applied := make(chan struct{})
	go func() { v, err = e.svc.Apply(ctx, a, applyInput(idA, nameA, phoneA)); close(applied) }()
	// Time for A's application to find the person and wait for its lock;
	// were it slower, it would find the record changed and create anew,
	// which passes too.
	time.Sleep(300 * time.Millisecond)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	<-applied
	if err == nil && v.ID == squat.ID {
		t.Errorf("A took person %d although it had just become another identity's", v.ID)
	}
	if err != nil && healthcode.ErrorCode(err) != healthcode.ECONFLICT {
		t.Errorf("A's application: %v, want a conflict to try again", err)
	}
}

// TestModifyRefusesWhatNeedsNoCheckFirst: with no modification left, a
// changed relative is refused before the real-name check is asked, which
// may be a paid query and would answer whether a name fits.
func TestModifyRefusesWhatNeedsNoCheckFirst(t *testing.T) {
	t.Parallel()
	var checks atomic.Int32
	e := newEnv(t, withChecker(checkerFunc(func(healthcode.Identity) error { checks.Add(1); return nil })))
	ctx := context.Background()
	const login = "13900070071"
	who := mustLogin(t, e, login)
	child := mustApply(t, e, who, applyInput(validID(t, "33010620200101002"), "孙小宝", login, forRelative(healthcode.RelationChild)))
	if _, err := e.svc.Modify(ctx, who, child.ID, modifyInput()); err != nil {
		t.Fatal(err)
	}
	before := checks.Load()
	for range 20 {
		in := modifyInput()
		in.Name = new("孙大宝")
		_, err := e.svc.Modify(ctx, who, child.ID, in)
		wantCode(t, err, healthcode.ELIMIT)
		if healthcode.ErrorRetryAfter(err) <= 0 {
			t.Errorf("no Retry-After for a limit that lifts tomorrow: %v", err)
		}
	}
	if n := checks.Load() - before; n != 0 {
		t.Errorf("%d real-name checks made for refused modifications, want none", n)
	}
}

// TestARelativeMovesOnlyWhereTheRulesLetThem: a child registered on the
// login's phone cannot be moved into a region without proxies, nor any
// relative into one without relatives (seed 000 Q4).
func TestARelativeMovesOnlyWhereTheRulesLetThem(t *testing.T) {
	t.Parallel()
	proxies := packWith(t, policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 5, ModifyPerDay: true})
	noProxies := packWith(t, policy.Settings{Relatives: true, ModifyLimit: 5, ModifyPerDay: true})
	noRelatives := packWith(t, policy.Settings{ModifyLimit: 5, ModifyPerDay: true})
	reg, err := policy.NewRegistry(map[string]*policy.Pack{"330200": noProxies, "330300": noRelatives}, proxies)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withChooser(reg))
	ctx := context.Background()
	const login = "13900070081"
	who := mustLogin(t, e, login)
	child := mustApply(t, e, who, applyInput(validID(t, "33010620200101002"), "孙小宝", login, forRelative(healthcode.RelationChild)))
	for _, tt := range []struct {
		region, want string
	}{
		{"330203", healthcode.EINVALID},   // no proxies there
		{"330302", healthcode.EFORBIDDEN}, // no relatives at all
		{"330108", ""},                    // proxies allowed
	} {
		in := modifyInput()
		in.Region = tt.region
		_, err := e.svc.Modify(ctx, who, child.ID, in)
		if got := healthcode.ErrorCode(err); got != tt.want {
			t.Errorf("moving the child to %s: %q (%v), want %q", tt.region, got, err, tt.want)
		}
	}
}

// TestAChangeOfRegionDoesNotOutrunAResult: a city's lab key still reaches
// someone who declared the city within 14 days, and a result kept for the
// city waits, rather than being lost, for someone who applied elsewhere
// until they declare the city.
func TestAChangeOfRegionDoesNotOutrunAResult(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		pack, err := policy.LoadShipped("zhejiang-hangzhou-2020")
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, append(opts, withPolicy(pack))...)
		ctx := context.Background()
		lab := feedKey(t, e, "lab") // a key for 330100
		positive := func(ref, number string) service.IngestResult {
			t.Helper()
			rows := feedRows(t, "lab", "source_ref,doc_number,at,sampled,result\n"+ref+","+number+",2026-03-10 09:30,2026-03-10 08:00,positive\n", start)
			res, err := e.svc.Ingest(ctx, lab, "lab", rows)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		const phoneC, phoneF = "13900070091", "13900070092"
		idC, idF := validID(t, "33010619900101002"), validID(t, "33010619900202002")
		c := mustLogin(t, e, phoneC)
		mover := mustApply(t, e, c, applyInput(idC, "陈小明", phoneC))
		away := modifyInput()
		away.Region = "110105"
		if _, err := e.svc.Modify(ctx, c, mover.ID, away); err != nil {
			t.Fatal(err)
		}
		if res := positive("l-1", idC); len(res.Refused) != 0 || res.Added != 1 {
			t.Errorf("a positive for someone who left the city today: %+v, want it added", res)
		}
		if st, _ := e.svc.Status(ctx, c, mover.ID); st.Color != healthcode.Red {
			t.Errorf("the mover is %s, want red", st.Color)
		}

		if res := positive("l-2", idF); res.Pending != 1 {
			t.Fatalf("a positive for someone not applied: %+v, want it pending", res)
		}
		f := mustLogin(t, e, phoneF)
		in := applyInput(idF, "方小红", phoneF)
		in.Region = "110105"
		elsewhere := mustApply(t, e, f, in)
		if elsewhere.Status.Color != healthcode.Green {
			t.Errorf("applying outside the lab's city: %s, want green (the result waits)", elsewhere.Status.Color)
		}
		e.clock.Advance(25 * time.Hour) // the next day's modification
		back := modifyInput()
		v, err := e.svc.Modify(ctx, f, elsewhere.ID, back)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status.Color != healthcode.Red {
			t.Errorf("after declaring the lab's city: %s, want red from the result that waited", v.Status.Color)
		}
	})
}

// TestAtItsCapALoginAsksNoCheck: past the relatives cap an application is
// refused before the real-name check is asked (a paid query that would
// answer whether a name fits an ID) and before a consent code is checked
// (which would spend the relative's phone's guesses).
func TestAtItsCapALoginAsksNoCheck(t *testing.T) {
	t.Parallel()
	var checks atomic.Int32
	e := newEnv(t, withPolicy(packWith(t, policy.Settings{Relatives: true, Proxy: true, ModifyLimit: 1, MaxRelatives: 1})),
		withChecker(checkerFunc(func(healthcode.Identity) error { checks.Add(1); return nil })))
	ctx := context.Background()
	const login = "13900070101"
	who := mustLogin(t, e, login)
	mustApply(t, e, who, applyInput(validID(t, "33010620200101002"), "孙小宝", login, forRelative(healthcode.RelationChild)))
	before := checks.Load()
	proxy := applyInput(validID(t, "33010620200102002"), "孙小二", login, forRelative(healthcode.RelationChild))
	withPhone := applyInput(validID(t, "33010619900101002"), "孙大", "13900070102", forRelative(healthcode.RelationSpouse))
	withPhone.ConsentCode = "000000"
	for _, in := range []service.ApplyInput{proxy, withPhone} {
		_, err := e.svc.Apply(ctx, who, in)
		wantCode(t, err, healthcode.EFORBIDDEN)
	}
	if n := checks.Load() - before; n != 0 {
		t.Errorf("%d real-name checks past the cap, want none", n)
	}
	if n, _, err := e.store.Guesses(ctx, e.box.Hash("phone", "13900070102")); err == nil && n > 0 {
		t.Errorf("%d guesses counted on the relative's phone past the cap, want none", n)
	}
}
