package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/policy"
)

func TestModifyIsAllowedOncePerChinaDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900010001"
	who := mustLogin(t, e, phone)
	// 22:30 on 10 March in China (14:30 UTC).
	e.clock.Set(time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC))
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))

	in := modifyInput()
	in.Region = "330102"
	v, err := e.svc.Modify(ctx, who, p.ID, in)
	if err != nil {
		t.Fatalf("first modification of the day: %v", err)
	}
	if v.Region != "330102" || v.ModificationsLeft != 0 {
		t.Errorf("after modifying: region %q, %d left; want 330102, 0 left", v.Region, v.ModificationsLeft)
	}

	e.clock.Advance(time.Hour) // 23:30 China time, same day
	in.Region = "330105"
	_, err = e.svc.Modify(ctx, who, p.ID, in)
	wantCode(t, err, healthcode.ELIMIT)
	if got := storedPerson(t, e, p.ID).Region; got != "330102" {
		t.Errorf("refused modification changed the region to %q", got)
	}

	// 00:10 on 11 March in China, though still 10 March in UTC.
	e.clock.Advance(40 * time.Minute)
	if now := e.clock.Now(); now.UTC().Day() != 10 {
		t.Fatalf("test set-up: UTC day is %d, want still the 10th", now.UTC().Day())
	}
	if got, err := e.svc.Person(ctx, who, p.ID); err != nil || got.ModificationsLeft != 1 {
		t.Fatalf("after China midnight: %v, modifications left %d, want 1", err, got.ModificationsLeft)
	}
	v, err = e.svc.Modify(ctx, who, p.ID, in)
	if err != nil {
		t.Fatalf("first modification of the next China day: %v", err)
	}
	if v.Region != "330105" {
		t.Errorf("region = %q, want 330105", v.Region)
	}
	if got := storedPerson(t, e, p.ID); got.Modified != 2 || got.ModifiedOn != "2026-03-11" || got.ModifiedThatDay != 1 {
		t.Errorf("counters = %d total, %d on %s; want 2 total, 1 on 2026-03-11", got.Modified, got.ModifiedThatDay, got.ModifiedOn)
	}
}

func TestModifyRecordsTheDeclarationAsTheCitizensFact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900010011"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
	in := modifyInput()
	in.Declaration.Fever = new(true)
	v, err := e.svc.Modify(ctx, who, p.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Yellow || v.Status.Rule != ruleDeclaredSymptom {
		t.Errorf("after declaring a fever: %v by %q, want yellow by %q", v.Status.Color, v.Status.Rule, ruleDeclaredSymptom)
	}
	facts := storedFacts(t, e, p.ID)
	if len(facts) != 2 {
		t.Fatalf("%d facts, want the application's and the modification's", len(facts))
	}
	last := facts[1]
	if last.Kind != healthcode.FactDeclaration || last.Author != who.Author() || last.Source != "citizen" ||
		last.Declaration == nil || !last.Declaration.Fever || last.Declaration.Reapply {
		t.Errorf("modification fact = %+v (declaration %+v), want the citizen's declaration with a fever", last, last.Declaration)
	}
}

func TestModifyRefusesNameAndPhoneForOneself(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900010021"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))

	tests := []struct {
		name string
		edit func(*service.ModifyInput)
		want []string
	}{
		{"name", func(in *service.ModifyInput) { in.Name = new("吴小东") }, []string{"name"}},
		{"phone", func(in *service.ModifyInput) { in.Phone = new("13900010029") }, []string{"phone"}},
		{"same phone", func(in *service.ModifyInput) { in.Phone = new(phone) }, []string{"phone"}},
		{"name and phone", func(in *service.ModifyInput) {
			in.Name, in.Phone = new("吴小东"), new("13900010029")
		}, []string{"name", "phone"}},
		{"number", func(in *service.ModifyInput) { in.Number = new(validID(t, "33010619850101010")) }, []string{"number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := modifyInput()
			tt.edit(&in)
			_, err := e.svc.Modify(ctx, who, p.ID, in)
			wantCode(t, err, healthcode.EINVALID)
			if got := fieldNames(err); !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
	got := storedPerson(t, e, p.ID)
	if got.NameMasked != "吴*东" || got.Modified != 0 {
		t.Errorf("after refused modifications: name %q, modified %d; want 吴*东 unchanged, 0", got.NameMasked, got.Modified)
	}
	if name, _ := e.box.Open("name", got.NameSealed); name != "吴晓东" {
		t.Errorf("stored name = %q, want 吴晓东", name)
	}
	// Refusals do not use up the day's modification.
	if _, err := e.svc.Modify(ctx, who, p.ID, modifyInput()); err != nil {
		t.Errorf("valid modification after refusals: %v", err)
	}
}

func TestModifyReportsBadRegionAndDeclaration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900010031"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
	in := modifyInput()
	in.Region = "000000"
	in.Declaration.Abroad14d = nil
	in.Declaration.Commitment = new(false)
	_, err := e.svc.Modify(ctx, who, p.ID, in)
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"declaration.abroad_14d", "declaration.commitment", "region"}; !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestModifyChangesARelativesNameAndPhoneButNeverTheNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	who := mustLogin(t, e, "13900010041")
	number := validID(t, "33010619500101002")
	p := mustApply(t, e, who, applyInput(number, "赵大海", "13900010042", forRelative(healthcode.RelationParent)))

	in := modifyInput()
	in.Number = new(validID(t, "33010619500101010"))
	in.Name = new("赵海涛")
	_, err := e.svc.Modify(ctx, who, p.ID, in)
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"number"}; !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}

	in = modifyInput()
	in.Name = new("")
	in.Phone = new("12345")
	_, err = e.svc.Modify(ctx, who, p.ID, in)
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"name", "phone"}; !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}

	in = modifyInput()
	in.Name = new(" 赵海涛 ")
	in.Phone = new("+86 139 0001 0049")
	v, err := modify(t, e, who, p.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "赵*涛" {
		t.Errorf("masked name = %q, want 赵*涛", v.Name)
	}
	got := storedPerson(t, e, p.ID)
	name, _ := e.box.Open("name", got.NameSealed)
	phone, _ := e.box.Open("phone", got.PhoneSealed)
	num, _ := e.box.Open("id", got.IDSealed)
	if name != "赵海涛" || phone != "13900010049" || num != number || got.IDTail != number[14:] {
		t.Errorf("stored relative = %q %q %q tail %q; want 赵海涛 13900010049 %s tail %s", name, phone, num, got.IDTail, number, number[14:])
	}
}

func TestModifyLifetimeLimitHoldsOnLaterDays(t *testing.T) {
	t.Parallel()
	once := packWith(t, policy.Settings{ModifyLimit: 1, ModifyPerDay: false, Relatives: true})
	e := newEnv(t, withPolicy(once))
	ctx := context.Background()
	const phone = "13900010051"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone))
	if _, err := e.svc.Modify(ctx, who, p.ID, modifyInput()); err != nil {
		t.Fatalf("first modification: %v", err)
	}
	e.clock.Advance(3 * 24 * time.Hour)
	_, err := e.svc.Modify(ctx, who, p.ID, modifyInput())
	wantCode(t, err, healthcode.ELIMIT)
	if v, err := e.svc.Person(ctx, who, p.ID); err != nil || v.ModificationsLeft != 0 {
		t.Errorf("three days later: %v, %d modifications left, want 0", err, v.ModificationsLeft)
	}
}

func TestReapplyIsAllowedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900011001"
	who := mustLogin(t, e, phone)
	number := validID(t, "33010619850101002")
	p := mustApply(t, e, who, applyInput(number, "吴晓东", phone))

	v, err := e.svc.Reapply(ctx, who, p.ID, applyInput(number, "吴晓冬", phone))
	if err != nil {
		t.Fatalf("first re-application: %v", err)
	}
	if v.ID != p.ID || v.CanReapply || v.Name != "吴*冬" {
		t.Errorf("after re-applying: %+v, want the same person, renamed, without re-application", v)
	}
	_, err = e.svc.Reapply(ctx, who, p.ID, applyInput(number, "吴晓东", phone))
	wantCode(t, err, healthcode.ECONFLICT)
	if got := storedPerson(t, e, p.ID).NameMasked; got != "吴*冬" {
		t.Errorf("refused re-application changed the name to %q", got)
	}
}

func TestReapplyReplacesEarlierDeclarations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900011011"
	who := mustLogin(t, e, phone)
	number := validID(t, "33010619850101002")
	p := mustApply(t, e, who, applyInput(number, "吴晓东", phone, declaringContact))
	if p.Status.Color != healthcode.Red {
		t.Fatalf("declared contact: colour %v, want red", p.Status.Color)
	}
	// A modification cannot withdraw the answer...
	e.clock.Advance(time.Hour)
	v, err := e.svc.Modify(ctx, who, p.ID, modifyInput())
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Red {
		t.Errorf("after a clean modification: %v, want still red", v.Status.Color)
	}
	// ...a re-application replaces it.
	e.clock.Advance(time.Hour)
	v, err = e.svc.Reapply(ctx, who, p.ID, applyInput(number, "吴晓东", phone))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Green || v.Status.Rule != ruleNoRisk {
		t.Errorf("after a clean re-application: %v by %q, want green by %q", v.Status.Color, v.Status.Rule, ruleNoRisk)
	}
	facts := storedFacts(t, e, p.ID)
	if n := len(facts); n != 3 || facts[n-1].Declaration == nil || !facts[n-1].Declaration.Reapply {
		t.Errorf("facts = %d, last %+v; want 3 with the re-application last", n, facts[n-1])
	}
	h, err := e.svc.History(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]healthcode.Color
	for _, x := range h.Entries {
		got = append(got, [2]healthcode.Color{x.From, x.To})
	}
	want := [][2]healthcode.Color{{0, healthcode.Red}, {healthcode.Red, healthcode.Green}}
	if !slices.Equal(got, want) || !h.Verified {
		t.Errorf("history = %v (verified %v %q), want %v verified", got, h.Verified, h.Problem, want)
	}
}

func TestReapplyRefusesAnIdentityThatIsNotTheApplicants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phoneA, phoneB = "13900011021", "13900011022"
	a := mustLogin(t, e, phoneA)
	b := mustLogin(t, e, phoneB)
	idA := validID(t, "33010619850101002")
	idB := validID(t, "33010619860202002")
	pa := mustApply(t, e, a, applyInput(idA, "吴晓东", phoneA))
	hashA := storedPerson(t, e, pa.ID).IDHash
	mustApply(t, e, b, applyInput(idB, "郑小红", phoneB))
	relative := mustApply(t, e, a, applyInput(validID(t, "33010619550101002"), "吴老汉", phoneA, forRelative(healthcode.RelationParent)))

	// Another account's person, and one's own relative, are both someone else.
	for _, other := range []string{idB, validID(t, "33010619550101002")} {
		_, err := e.svc.Reapply(ctx, a, pa.ID, applyInput(other, "吴晓东", phoneA))
		wantCode(t, err, healthcode.ECONFLICT)
	}
	_, err := e.svc.Reapply(ctx, a, pa.ID, applyInput(idA, "吴晓东", phoneB))
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"identity.phone"}; !slices.Equal(got, want) {
		t.Errorf("self re-application with another phone: fields %v, want %v", got, want)
	}
	_, err = e.svc.Reapply(ctx, a, relative.ID, applyInput(validID(t, "33010619550101002"), "吴老汉", phoneA, forRelative(healthcode.RelationSpouse)))
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"relation"}; !slices.Equal(got, want) {
		t.Errorf("re-application changing the relation: fields %v, want %v", got, want)
	}

	got := storedPerson(t, e, pa.ID)
	if got.Reapplied || got.IDTail != idA[14:] || !slices.Equal(got.IDHash, hashA) {
		t.Errorf("after refused re-applications: reapplied %v, tail %q; want the re-application unused and the number kept", got.Reapplied, got.IDTail)
	}

	// Correcting one's number to an unused one works, and frees the old one.
	idA2 := validID(t, "33010619850101010")
	v, err := e.svc.Reapply(ctx, a, pa.ID, applyInput(idA2, "吴晓东", phoneA))
	if err != nil {
		t.Fatalf("re-application with a corrected number: %v", err)
	}
	if v.IDTail != idA2[14:] {
		t.Errorf("id tail = %q, want %q", v.IDTail, idA2[14:])
	}
	if _, err := e.store.PersonByIdentity(ctx, hashA); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		t.Errorf("old number still belongs to a person: %v", err)
	}
}
