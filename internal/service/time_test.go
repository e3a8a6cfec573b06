package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"healthcode"
)

func TestRedTurnsGreenAfter14DaysOnRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020001"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "冯立新", phone, declaringContact))
	if p.Status.Color != healthcode.Red || p.Status.Rule != ruleDeclaredContact {
		t.Fatalf("declared contact: %v by %q, want red by %q", p.Status.Color, p.Status.Rule, ruleDeclaredContact)
	}
	greenAt := start.Add(14 * 24 * time.Hour)
	if !p.Status.NextEvalAt.Equal(greenAt) {
		t.Errorf("next evaluation at %v, want %v", p.Status.NextEvalAt, greenAt)
	}

	e.clock.Set(greenAt.Add(-time.Second))
	st, err := e.svc.Status(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Color != healthcode.Red {
		t.Errorf("a second before the 14 days are up: %v, want red", st.Color)
	}

	e.clock.Set(greenAt)
	st, err = e.svc.Status(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Color != healthcode.Green || st.Rule != ruleNoRisk || !st.NextEvalAt.IsZero() {
		t.Errorf("after 14 days: %v by %q, next %v; want green by %q with nothing due", st.Color, st.Rule, st.NextEvalAt, ruleNoRisk)
	}
	// The new colour was stored, not only computed for this read.
	if got := storedPerson(t, e, p.ID).Status; got.Color != healthcode.Green || !got.EvaluatedAt.Equal(greenAt) {
		t.Errorf("stored status = %v evaluated %v, want green evaluated %v", got.Color, got.EvaluatedAt, greenAt)
	}

	h, err := e.svc.History(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Verified {
		t.Errorf("history not verified: %s", h.Problem)
	}
	want := []struct {
		from, to healthcode.Color
		rule     string
		at       time.Time
	}{
		{0, healthcode.Red, ruleDeclaredContact, start},
		{healthcode.Red, healthcode.Green, ruleNoRisk, greenAt},
	}
	if len(h.Entries) != len(want) {
		t.Fatalf("history has %d entries, want %d: %+v", len(h.Entries), len(want), h.Entries)
	}
	for i, w := range want {
		got := h.Entries[i]
		if got.From != w.from || got.To != w.to || got.Rule != w.rule || got.Author != healthcode.AuthorSystem || !got.At.Equal(w.at) {
			t.Errorf("entry %d = %v→%v by %q, %q at %v; want %v→%v by %q, system at %v",
				i, got.From, got.To, got.Rule, got.Author, got.At, w.from, w.to, w.rule, w.at)
		}
	}
	stored := storedHistory(t, e, p.ID)
	if err := healthcode.VerifyChain(stored, storedPerson(t, e, p.ID).Status.HeadHash); err != nil {
		t.Errorf("VerifyChain: %v", err)
	}
}

func TestDueStatusIsReevaluatedByEveryReader(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020011"
	who := mustLogin(t, e, phone)
	red := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "冯立新", phone, declaringContact))
	yellow := mustApply(t, e, who, applyInput(validID(t, "33010619550101002"), "冯老", phone, forRelative(healthcode.RelationParent), declaringCough))
	if yellow.Status.Color != healthcode.Yellow {
		t.Fatalf("declared cough: %v, want yellow", yellow.Status.Color)
	}

	e.clock.Advance(7 * 24 * time.Hour)
	views, err := e.svc.Persons(ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	if got := []healthcode.Color{views[0].Status.Color, views[1].Status.Color}; got[0] != healthcode.Red || got[1] != healthcode.Green {
		t.Errorf("after 7 days Persons shows %v, want [red green]", got)
	}

	e.clock.Advance(7 * 24 * time.Hour)
	v, err := e.svc.Person(ctx, who, red.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Green {
		t.Errorf("after 14 days Person shows %v, want green", v.Status.Color)
	}
	code, err := e.svc.Code(ctx, who, red.ID)
	if err != nil {
		t.Fatal(err)
	}
	if code.Color != healthcode.Green {
		t.Errorf("code signed as %v, want green", code.Color)
	}
}

func TestConcurrentReadersRecordOneColourChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900020021"
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "冯立新", phone, declaringContact))
	code, err := e.svc.Code(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(14 * 24 * time.Hour)
	// The old token has expired, so scanners re-verify a fresh one.
	fresh := func() string {
		c, err := e.svc.Code(ctx, who, p.ID)
		if err != nil {
			t.Error(err)
			return code.Token
		}
		return c.Token
	}

	var wg sync.WaitGroup
	colors := make(chan healthcode.Color, 16)
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				st, err := e.svc.Status(ctx, who, p.ID)
				if err != nil {
					t.Error(err)
					return
				}
				colors <- st.Color
				return
			}
			v, err := e.svc.Verify(ctx, nil, verifyInput(fresh()))
			if err != nil {
				t.Error(err)
				return
			}
			colors <- v.Color
		})
	}
	wg.Wait()
	close(colors)
	for c := range colors {
		if c != healthcode.Green {
			t.Errorf("a concurrent reader saw %v, want green", c)
		}
	}
	if hs := storedHistory(t, e, p.ID); len(hs) != 2 {
		t.Errorf("history has %d entries after concurrent reads, want 2 (none→red, red→green)", len(hs))
	}
}
