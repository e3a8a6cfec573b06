package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/policy"
)

// feedRows decodes a CSV contact feed as the API would.
func feedRows(t *testing.T, kind, csv string, now time.Time) []ingest.Row {
	t.Helper()
	dec, err := ingest.NewDecoder(kind, ingest.CSV, strings.NewReader(csv), now)
	if err != nil {
		t.Fatal(err)
	}
	var rows []ingest.Row
	for {
		row, rej, err := dec.Next()
		if err != nil {
			break
		}
		if rej != nil {
			t.Fatalf("rejected: %s", rej)
		}
		rows = append(rows, row)
	}
	return rows
}

func feedKey(t *testing.T, e *testEnv, kinds ...string) *healthcode.Principal {
	t.Helper()
	key, _, err := e.svc.CreateFeedKey(context.Background(), "cdc-investigation", "330100", kinds)
	if err != nil {
		t.Fatal(err)
	}
	return keyPrincipal(t, e, key)
}

func TestFeedRecoloursKnownPersonsAndKeepsTheRestForLater(t *testing.T) {
	t.Parallel()
	pack, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withPolicy(pack))
	ctx := context.Background()
	const phone = "13900050001"
	known := validID(t, "33010619800101123")
	later := validID(t, "33010619800202123")
	who := mustLogin(t, e, phone)
	p, err := e.svc.Apply(ctx, who, applyInput(known, "赵六", phone))
	if err != nil {
		t.Fatal(err)
	}
	feed := feedKey(t, e, "contact")
	csv := "source_ref,doc_number,at,type,exposure\n" +
		"c-1," + known + ",2026-03-10 09:00,close,2026-03-09 20:00\n" +
		"c-2," + later + ",2026-03-10 09:00,close,2026-03-09 20:00\n"
	rows := feedRows(t, "contact", csv, start)
	res, err := e.svc.Ingest(ctx, feed, "contact", rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Pending != 1 || res.Duplicates != 0 || res.Recoloured != 1 {
		t.Errorf("first send = %+v, want 1 added, 1 pending, 1 recoloured", res)
	}
	st, err := e.svc.Status(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Color != healthcode.Red || st.Category != "close-contact" {
		t.Errorf("after the contact feed: %v by %s, want red by close-contact", st.Color, st.Rule)
	}

	again, err := e.svc.Ingest(ctx, feed, "contact", rows)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Pending != 0 || again.Duplicates != 2 || again.Recoloured != 0 {
		t.Errorf("re-send = %+v, want 2 duplicates and nothing else", again)
	}

	const phone2 = "13900050002"
	who2 := mustLogin(t, e, phone2)
	v, err := e.svc.Apply(ctx, who2, applyInput(later, "钱七", phone2))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Color != healthcode.Red {
		t.Errorf("applying after the feed: %v, want red from the pending contact", v.Status.Color)
	}
	if res, err := e.svc.Ingest(ctx, feed, "contact", rows); err != nil || res.Duplicates != 2 {
		t.Errorf("re-send after applying = %+v, %v; want 2 duplicates", res, err)
	}
}

func TestFeedsNeedAFeedKeyForTheKind(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	labOnly := feedKey(t, e, "lab")
	tests := []struct {
		name string
		who  *healthcode.Principal
		kind string
		want string
	}{
		{"anonymous", nil, "lab", healthcode.EFORBIDDEN},
		{"checkpoint key", checkpoint(t, e, "gate"), "lab", healthcode.EFORBIDDEN},
		{"another kind", labOnly, "case", healthcode.EFORBIDDEN},
		{"designations need a key allowed them", labOnly, "designation", healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		_, err := e.svc.Ingest(ctx, tt.who, tt.kind, nil)
		if got := healthcode.ErrorCode(err); got != tt.want {
			t.Errorf("%s: error %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
	if _, _, err := e.svc.CreateFeedKey(ctx, "x", "330100", []string{"gossip"}); healthcode.ErrorCode(err) != healthcode.EINVALID {
		t.Errorf("a feed key for an unknown kind: %v, want invalid", err)
	}
}

// TestConcurrentFeedsOnTheSamePeopleDoNotDeadlock sends overlapping feeds
// at once on PostgreSQL, where row locks are real: every batch must land.
func TestConcurrentFeedsOnTheSamePeopleDoNotDeadlock(t *testing.T) {
	e := newEnv(t, withPostgres())
	ctx := context.Background()
	var numbers []string
	for i := range 6 {
		phone := fmt.Sprintf("1390006%04d", i)
		number := validID(t, fmt.Sprintf("33010619800301%03d", i))
		if _, err := e.svc.Apply(ctx, mustLogin(t, e, phone), applyInput(number, "孙八", phone)); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, number)
	}
	feed := feedKey(t, e, "lab")
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			csv := "source_ref,doc_number,at,sampled,result\n"
			for i := range numbers {
				n := numbers[(i+w)%len(numbers)] // each sender in its own order
				csv += fmt.Sprintf("w%d-%d,%s,2026-03-10 15:00,2026-03-10 09:00,negative\n", w, i, n)
			}
			_, err := e.svc.Ingest(ctx, feed, "lab", feedRows(t, "lab", csv, start))
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
