package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/policy"
)

func TestApplyReportsEachBadFieldAndWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone, name = "13900001111", "王小明"
	who := mustLogin(t, e, phone)
	number := validID(t, "33010619900307123")
	wrongCheck := number[:17] + "0"
	if number[17] == '0' {
		wrongCheck = number[:17] + "1"
	}
	// The clock says 10 March 2026 in China; the 11th has not come yet.
	future := validID(t, "33010620260311123")

	tests := []struct {
		name string
		edit func(*service.ApplyInput)
		want []string
	}{
		{"missing document type", func(in *service.ApplyInput) { in.Identity.DocType = "" }, []string{"identity.doc_type"}},
		{"unknown document type", func(in *service.ApplyInput) { in.Identity.DocType = "driving_licence" }, []string{"identity.doc_type"}},
		{"wrong check character", func(in *service.ApplyInput) { in.Identity.Number = wrongCheck }, []string{"identity.number"}},
		{"month 13 birth date", func(in *service.ApplyInput) { in.Identity.Number = validID(t, "33010619901307123") }, []string{"identity.number"}},
		{"30 February birth date", func(in *service.ApplyInput) { in.Identity.Number = validID(t, "33010619900230123") }, []string{"identity.number"}},
		{"future birth date", func(in *service.ApplyInput) { in.Identity.Number = future }, []string{"identity.number"}},
		{"number too short", func(in *service.ApplyInput) { in.Identity.Number = number[:17] }, []string{"identity.number"}},
		{"missing number", func(in *service.ApplyInput) { in.Identity.Number = "  " }, []string{"identity.number"}},
		{"missing name", func(in *service.ApplyInput) { in.Identity.Name = " " }, []string{"identity.name"}},
		{"name with a right-to-left override", func(in *service.ApplyInput) { in.Identity.Name = "王\u202e小明" }, []string{"identity.name"}},
		{"missing phone", func(in *service.ApplyInput) { in.Identity.Phone = "" }, []string{"identity.phone"}},
		{"landline phone", func(in *service.ApplyInput) { in.Identity.Phone = "057187654321" }, []string{"identity.phone"}},
		{"missing region", func(in *service.ApplyInput) { in.Region = "" }, []string{"region"}},
		{"short region", func(in *service.ApplyInput) { in.Region = "3301" }, []string{"region"}},
		{"region in no province", func(in *service.ApplyInput) { in.Region = "990100" }, []string{"region"}},
		{"region no division has", func(in *service.ApplyInput) { in.Region = "330199" }, []string{"region"}},
		{"region abolished in 2021", func(in *service.ApplyInput) { in.Region = "330103" }, []string{"region"}},
		{"fever unanswered", func(in *service.ApplyInput) { in.Declaration.Fever = nil }, []string{"declaration.fever"}},
		{"cough unanswered", func(in *service.ApplyInput) { in.Declaration.Cough = nil }, []string{"declaration.cough"}},
		{"other symptoms unanswered", func(in *service.ApplyInput) { in.Declaration.OtherSymptoms = nil }, []string{"declaration.other_symptoms"}},
		{"travel unanswered", func(in *service.ApplyInput) { in.Declaration.LeftRegion14d = nil }, []string{"declaration.left_region_14d"}},
		{"abroad unanswered", func(in *service.ApplyInput) { in.Declaration.Abroad14d = nil }, []string{"declaration.abroad_14d"}},
		{"contact unanswered", func(in *service.ApplyInput) { in.Declaration.ContactCases = nil }, []string{"declaration.contact_cases"}},
		{"commitment not ticked", func(in *service.ApplyInput) { in.Declaration.Commitment = new(false) }, []string{"declaration.commitment"}},
		{"commitment missing", func(in *service.ApplyInput) { in.Declaration.Commitment = nil }, []string{"declaration.commitment"}},
		{"unknown relation", func(in *service.ApplyInput) { in.Relation = "cousin" }, []string{"relation"}},
		{"three bad fields at once", func(in *service.ApplyInput) {
			in.Identity.Number = wrongCheck
			in.Region = "3301"
			in.Declaration.Commitment = new(false)
		}, []string{"declaration.commitment", "identity.number", "region"}},
		{"an empty form", func(in *service.ApplyInput) { *in = service.ApplyInput{Relation: "cousin"} }, []string{
			"declaration.abroad_14d", "declaration.commitment", "declaration.contact_cases", "declaration.cough",
			"declaration.fever", "declaration.left_region_14d", "declaration.other_symptoms",
			"identity.doc_type", "identity.name", "identity.phone", "region", "relation",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := applyInput(number, name, phone)
			tt.edit(&in)
			v, err := e.svc.Apply(ctx, who, in)
			if v != nil {
				t.Errorf("Apply returned a person %+v alongside the error", v)
			}
			wantCode(t, err, healthcode.EINVALID)
			if got := fieldNames(err); !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
			for _, f := range healthcode.ErrorFields(err) {
				if f.Reason == "" {
					t.Errorf("field %s has no reason", f.Field)
				}
			}
		})
	}

	ps, err := e.store.PersonsByOwner(ctx, who.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Fatalf("after refused applications the account has %d persons, want 0", len(ps))
	}
	// The untouched form is accepted, so each refusal was the edit's doing.
	if v := mustApply(t, e, who, applyInput(number, name, phone)); v.Status.Color != healthcode.Green {
		t.Errorf("valid application colour = %v, want green", v.Status.Color)
	}
}

func TestApplyAcceptsOtherDocumentsInCanonicalForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const phone = "13900001112"
	who := mustLogin(t, e, phone)
	tests := []struct {
		doc      healthcode.DocType
		number   string
		wantTail string
	}{
		{healthcode.DocHKMacaoPermit, "h 1234 5678", "5678"},
		{healthcode.DocTaiwanPermit, "87654321", "4321"},
		{healthcode.DocPassport, "e12345678", "5678"},
		{healthcode.DocResidentID, strings.ToLower(validID(t, "11010519491231002")), ""},
	}
	for i, tt := range tests {
		in := applyInput(tt.number, "Ann Lee", fmt.Sprintf("1390000220%d", i), withDoc(tt.doc), forRelative(healthcode.RelationOther))
		v := mustApply(t, e, who, in)
		want := tt.wantTail
		if want == "" {
			want = strings.ToUpper(tt.number[14:])
		}
		if v.DocType != tt.doc || v.IDTail != want || v.Name != "A** L**" {
			t.Errorf("%s %q: view = {%s %q %q}, want {%s %q %q}", tt.doc, tt.number, v.DocType, v.IDTail, v.Name, tt.doc, want, "A** L**")
		}
	}
}

func TestApplyJudgesBirthDateOnTheChinaCalendar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	who := mustLogin(t, e, "13900001113")
	// 17:00 UTC on the 10th is 01:00 on the 11th in China: a baby born on
	// the 11th is born today, not in the future.
	e.clock.Set(time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC))
	newborn := validID(t, "33010620260311002")
	mustApply(t, e, who, applyInput(newborn, "李宝宝", "13900001113", forRelative(healthcode.RelationChild)))

	tomorrow := validID(t, "33010620260312002")
	_, err := e.svc.Apply(context.Background(), who, applyInput(tomorrow, "李二宝", "13900001113", forRelative(healthcode.RelationChild)))
	wantCode(t, err, healthcode.EINVALID)
	if got, want := fieldNames(err), []string{"identity.number"}; !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestApplyForSelfRequiresTheLoginPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phoneA, phoneB = "13900002221", "13900002222"
	a := mustLogin(t, e, phoneA)
	mustLogin(t, e, phoneB)
	number := validID(t, "33010619870521002")

	for _, phone := range []string{phoneB, "13900009999"} {
		_, err := e.svc.Apply(ctx, a, applyInput(number, "周杰", phone))
		wantCode(t, err, healthcode.EINVALID)
		if got, want := fieldNames(err), []string{"identity.phone"}; !slices.Equal(got, want) {
			t.Errorf("self-application with phone %s: fields = %v, want %v", phone, got, want)
		}
	}
	if ps, _ := e.store.PersonsByOwner(ctx, a.AccountID); len(ps) != 0 {
		t.Fatalf("refused self-applications wrote %d persons", len(ps))
	}

	// The login phone in another spelling is the same phone.
	v := mustApply(t, e, a, applyInput(number, "周杰", "+86 139-0000-2221"))
	if v.Relation != healthcode.RelationSelf {
		t.Errorf("relation = %q, want self by default", v.Relation)
	}
	// A relative may give any phone, even another account's.
	mustApply(t, e, a, applyInput(validID(t, "33010619600101002"), "周大伟", phoneB, forRelative(healthcode.RelationParent)))
}

func TestOnePersonHasOneCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phoneA, phoneB, nameA = "13900003331", "13900003332", "陈美玲"
	a := mustLogin(t, e, phoneA)
	b := mustLogin(t, e, phoneB)
	idA := validID(t, "44030419920815002")
	mustApply(t, e, a, applyInput(idA, nameA, phoneA))

	t.Run("second self-application", func(t *testing.T) {
		_, err := e.svc.Apply(ctx, a, applyInput(validID(t, "44030419920815010"), nameA, phoneA))
		wantCode(t, err, healthcode.ECONFLICT)
		_, err = e.svc.Apply(ctx, a, applyInput(idA, nameA, phoneA))
		wantCode(t, err, healthcode.ECONFLICT)
	})

	t.Run("HK/Macao permit with and without renewal digits", func(t *testing.T) {
		hk := func(number string) service.ApplyInput {
			return applyInput(number, "Chan Tai Man", "13900003339",
				withDoc(healthcode.DocHKMacaoPermit), forRelative(healthcode.RelationOther))
		}
		mustApply(t, e, a, hk("H12345678"))
		for _, same := range []string{"H1234567801", "H1234567803", "h 12345678"} {
			_, err := apply(t, e, b, hk(same))
			if got := healthcode.ErrorCode(err); got != healthcode.ECONFLICT {
				t.Errorf("permit %q after H12345678: code %q (%v), want conflict", same, got, err)
			}
		}
		mustApply(t, e, a, hk("M8765432102"))
		_, err := apply(t, e, b, hk("M87654321"))
		wantCode(t, err, healthcode.ECONFLICT)
		// A different letter is a different permit.
		mustApply(t, e, b, hk("M12345678"))
	})

	ps, err := e.store.PersonsByOwner(ctx, b.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("account B manages %d persons, want only the one distinct permit", len(ps))
	}
}

func TestConcurrentApplicationsForOneIdentityMakeOneCode(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		// An elderly parent without a phone, registered by six children on
		// their own phones at once.
		number := validID(t, "51010719451103002")
		const n = 6
		whos := make([]*healthcode.Principal, n)
		for i := range whos {
			whos[i] = mustLogin(t, e, fmt.Sprintf("1390000400%d", i))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.svc.Apply(context.Background(), whos[i],
					applyInput(number, "刘德明", fmt.Sprintf("1390000400%d", i), forRelative(healthcode.RelationParent)))
			})
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, healthcode.ErrIdentityMismatch):
				// Losing the race must sound like any claim for a held
				// identity: the failed check, never "someone else has it".
				t.Errorf("applicant %d: %v, want the failed check's answer", i, err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent applications for one identity succeeded, want exactly 1", ok, n)
		}
	})
}

func TestRelativesAreListedAfterSelfAndHiddenFromOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phoneA = "13900005551"
	a := mustLogin(t, e, phoneA)
	b := mustLogin(t, e, "13900005552")
	// The parent is applied for first; self must still be listed first.
	parent := mustApply(t, e, a, applyInput(validID(t, "33010619550101002"), "张建国", "13900005553", forRelative(healthcode.RelationParent)))
	self := mustApply(t, e, a, applyInput(validID(t, "33010619850101002"), "张小伟", phoneA))
	child := mustApply(t, e, a, applyInput(validID(t, "33010620150101002"), "张乐乐", phoneA, forRelative(healthcode.RelationChild)))

	stored, err := e.store.PersonsByOwner(ctx, a.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, p := range stored {
		gotIDs = append(gotIDs, p.ID)
	}
	wantIDs := []int64{self.ID, parent.ID, child.ID}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("PersonsByOwner ids = %v, want %v (self first)", gotIDs, wantIDs)
	}
	views, err := e.svc.Persons(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range views {
		got = append(got, fmt.Sprintf("%s %s", v.Relation, v.Name))
	}
	if want := []string{"self 张*伟", "parent 张*国", "child 张*乐"}; !slices.Equal(got, want) {
		t.Errorf("Persons = %v, want %v", got, want)
	}
	if others, err := e.svc.Persons(ctx, b); err != nil || len(others) != 0 {
		t.Errorf("another account's Persons = %d persons, %v; want none", len(others), err)
	}

	for _, id := range wantIDs {
		_, err := e.svc.Person(ctx, b, id)
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.Status(ctx, b, id)
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.Code(ctx, b, id)
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.History(ctx, b, id)
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.Modify(ctx, b, id, modifyInput())
		wantCode(t, err, healthcode.ENOTFOUND)
		_, err = e.svc.Reapply(ctx, b, id, applyInput(validID(t, "33010619900101002"), "某人", "13900005559", forRelative(healthcode.RelationOther)))
		wantCode(t, err, healthcode.ENOTFOUND)
	}
	// The failed writes by B left A's persons alone.
	if p := storedPerson(t, e, parent.ID); p.Modified != 0 || p.Reapplied || p.NameMasked != "张*国" {
		t.Errorf("parent after B's attempts: modified %d, reapplied %v, name %q", p.Modified, p.Reapplied, p.NameMasked)
	}
}

// A caller must not learn that a person id exists by asking for it: someone
// else's person must look exactly like one that was never created.
func TestSomeoneElsesPersonLooksLikeAMissingOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := mustLogin(t, e, "13900005561")
	b := mustLogin(t, e, "13900005562")
	p := mustApply(t, e, a, applyInput(validID(t, "33010619850101002"), "张小伟", "13900005561"))
	const missing = 987654

	calls := []struct {
		name string
		call func(id int64) error
	}{
		{"Person", func(id int64) error { _, err := e.svc.Person(ctx, b, id); return err }},
		{"Status", func(id int64) error { _, err := e.svc.Status(ctx, b, id); return err }},
		{"Code", func(id int64) error { _, err := e.svc.Code(ctx, b, id); return err }},
		{"History", func(id int64) error { _, err := e.svc.History(ctx, b, id); return err }},
		{"Modify", func(id int64) error { _, err := e.svc.Modify(ctx, b, id, modifyInput()); return err }},
	}
	for _, c := range calls {
		foreign, absent := c.call(p.ID), c.call(missing)
		wantCode(t, foreign, healthcode.ENOTFOUND)
		wantCode(t, absent, healthcode.ENOTFOUND)
		got := strings.ReplaceAll(healthcode.ErrorMessage(foreign), fmt.Sprint(p.ID), "<id>")
		want := strings.ReplaceAll(healthcode.ErrorMessage(absent), fmt.Sprint(missing), "<id>")
		if got != want {
			t.Errorf("%s: someone else's person answers %q, a missing one %q", c.name, got, want)
		}
	}
}

func TestApplyForRelativesIsForbiddenWhereTheRegionDisallowsIt(t *testing.T) {
	t.Parallel()
	noRelatives := packWith(t, policy.Settings{ModifyLimit: 1, ModifyPerDay: true, Relatives: false})
	e := newEnv(t, withPolicy(noRelatives))
	ctx := context.Background()
	const phone = "13900006661"
	who := mustLogin(t, e, phone)
	for _, rel := range []healthcode.Relation{healthcode.RelationParent, healthcode.RelationChild, healthcode.RelationSpouse, healthcode.RelationOther} {
		_, err := e.svc.Apply(ctx, who, applyInput(validID(t, "33010619550101002"), "孙大海", "13900006662", forRelative(rel)))
		wantCode(t, err, healthcode.EFORBIDDEN)
	}
	// Bad input is still reported as bad input, field by field.
	bad := applyInput(validID(t, "33010619550101002"), "孙大海", "13900006662", forRelative(healthcode.RelationParent))
	bad.Region = ""
	_, err := e.svc.Apply(ctx, who, bad)
	wantCode(t, err, healthcode.EINVALID)

	if ps, _ := e.store.PersonsByOwner(ctx, who.AccountID); len(ps) != 0 {
		t.Fatalf("forbidden applications wrote %d persons", len(ps))
	}
	mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "孙小海", phone))
}

func TestCitizenOperationsNeedACitizen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900007771"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "钱多多", phone))
	gate := checkpoint(t, e, "Gate 1")

	calls := map[string]func(who *healthcode.Principal) error{
		"Apply": func(w *healthcode.Principal) error {
			_, err := e.svc.Apply(ctx, w, applyInput(validID(t, "33010619550101002"), "钱老", "13900007772", forRelative(healthcode.RelationParent)))
			return err
		},
		"Persons": func(w *healthcode.Principal) error { _, err := e.svc.Persons(ctx, w); return err },
		"Person":  func(w *healthcode.Principal) error { _, err := e.svc.Person(ctx, w, p.ID); return err },
		"Status":  func(w *healthcode.Principal) error { _, err := e.svc.Status(ctx, w, p.ID); return err },
		"History": func(w *healthcode.Principal) error { _, err := e.svc.History(ctx, w, p.ID); return err },
		"Code":    func(w *healthcode.Principal) error { _, err := e.svc.Code(ctx, w, p.ID); return err },
		"Modify":  func(w *healthcode.Principal) error { _, err := e.svc.Modify(ctx, w, p.ID, modifyInput()); return err },
		"Reapply": func(w *healthcode.Principal) error {
			_, err := e.svc.Reapply(ctx, w, p.ID, applyInput(validID(t, "33010619850101002"), "钱多多", phone))
			return err
		},
	}
	for name, call := range calls {
		if got := healthcode.ErrorCode(call(nil)); got != healthcode.EUNAUTHORIZED {
			t.Errorf("%s anonymously: code %q, want %q", name, got, healthcode.EUNAUTHORIZED)
		}
		if got := healthcode.ErrorCode(call(gate)); got != healthcode.EFORBIDDEN {
			t.Errorf("%s by a checkpoint: code %q, want %q", name, got, healthcode.EFORBIDDEN)
		}
	}
	if got := storedPerson(t, e, p.ID); got.Modified != 0 || got.Reapplied {
		t.Errorf("person changed by refused calls: modified %d, reapplied %v", got.Modified, got.Reapplied)
	}
}

func TestApplyStoresIdentitySealedAndShowsItMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const phone, name = "13900008881", "欧阳娜娜"
	who := mustLogin(t, e, phone)
	number := validID(t, "11010519991231002")
	v := mustApply(t, e, who, applyInput(" "+strings.ToLower(number)+" ", " "+name+" ", "0086 "+phone))
	if got, want := v.Name, "欧**娜"; got != want {
		t.Errorf("view name = %q, want %q", got, want)
	}
	if got, want := v.IDTail, number[14:]; got != want {
		t.Errorf("view id tail = %q, want %q", got, want)
	}
	if v.Region != "330106" || v.ModificationsLeft != 1 || !v.CanReapply {
		t.Errorf("view = %+v, want region 330106, one modification left, re-application available", v)
	}

	p := storedPerson(t, e, v.ID)
	for _, c := range []struct {
		purpose string
		sealed  []byte
		want    string
	}{{"id", p.IDSealed, number}, {"name", p.NameSealed, name}, {"phone", p.PhoneSealed, phone}} {
		got, err := e.box.Open(c.purpose, c.sealed)
		if err != nil || got != c.want {
			t.Errorf("sealed %s opens to %q, %v; want %q", c.purpose, got, err, c.want)
		}
		if strings.Contains(string(c.sealed), c.want) {
			t.Errorf("sealed %s holds the value in clear", c.purpose)
		}
	}
	if string(p.IDHash) == number || len(p.CodeID) != 12 || strings.Contains(string(p.CodeID), number[10:]) {
		t.Errorf("stored person exposes the number: hash %x, code id %x", p.IDHash, p.CodeID)
	}
}
