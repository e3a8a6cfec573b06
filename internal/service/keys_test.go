package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
	"healthcode/policy"
)

// onBothStores runs fn on SQLite and on PostgreSQL.
func onBothStores(t *testing.T, fn func(t *testing.T, opts ...envOption)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, withPostgres()) })
}

// staffKey makes a checkpoint key and opens a staff session with it.
func staffKey(t *testing.T, e *testEnv, spec service.KeySpec) (key, session string) {
	t.Helper()
	ctx := context.Background()
	key, _, err := e.svc.CreateKey(ctx, permission.Operator(), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := e.svc.StaffLogin(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, res.Token
}

func wantWorking(t *testing.T, e *testEnv, want bool, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		_, err := e.svc.Authenticate(context.Background(), tok)
		if want && err != nil {
			t.Errorf("Authenticate(%.8s…) = %v, want it working", tok, err)
		} else if !want {
			wantCode(t, err, healthcode.EUNAUTHORIZED)
		}
	}
}

func TestAnExpiredKeyStopsWorkingWithItsStaffSessions(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		key, session := staffKey(t, e, service.KeySpec{Name: "night shift", Role: healthcode.RoleCheckpoint,
			Region: "330106", ExpiresAt: start.Add(8 * time.Hour)})
		wantWorking(t, e, true, key, session)
		e.clock.Advance(8*time.Hour - time.Microsecond)
		wantWorking(t, e, true, key, session)
		e.clock.Advance(time.Microsecond)
		wantWorking(t, e, false, key, session)
	})
}

func TestARevokedKeyStopsWorkingWithItsStaffSessions(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		key, session := staffKey(t, e, service.KeySpec{Name: "gate 7", Role: healthcode.RoleCheckpoint, Region: "330106"})
		other, _ := staffKey(t, e, service.KeySpec{Name: "gate 8", Role: healthcode.RoleCheckpoint, Region: "330106"})
		k, err := e.svc.RevokeAPIKey(context.Background(), "gate 7")
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != "gate 7" || !k.RevokedAt.Equal(start) {
			t.Errorf("revoked %+v, want gate 7 revoked now", k)
		}
		wantWorking(t, e, false, key, session)
		wantWorking(t, e, true, other)
	})
}

func TestRevokeAPIKeyByNameOrID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	gate := service.KeySpec{Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106"}
	_, first, err := e.svc.CreateKey(ctx, permission.Operator(), gate)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := e.svc.CreateKey(ctx, permission.Operator(), gate)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ref      string
		want     string   // error code, "" for revoked
		wantID   int64    // the key revoked
		mentions []string // in the error's message
	}{
		{"gate", healthcode.ECONFLICT, 0, []string{"2 keys", "key 1 ", "key 2 ", "by its ID"}},
		{" 1 ", "", first.ID, nil},
		{"gate", "", second.ID, nil}, // the only one left to revoke
		{"gate", healthcode.ECONFLICT, 0, []string{"revoked already", "key 1 ", "key 2 "}},
		{"2", healthcode.ECONFLICT, 0, []string{"revoked already", "key 2 "}},
		{"nobody", healthcode.ENOTFOUND, 0, []string{`"nobody"`}},
	}
	for _, st := range steps {
		k, err := e.svc.RevokeAPIKey(ctx, st.ref)
		if got := healthcode.ErrorCode(err); got != st.want {
			t.Fatalf("revoke %q: error %q (%v), want %q", st.ref, got, err, st.want)
		}
		if st.want == "" && k.ID != st.wantID {
			t.Errorf("revoke %q revoked key %d, want %d", st.ref, k.ID, st.wantID)
		}
		for _, m := range st.mentions {
			if !strings.Contains(healthcode.ErrorMessage(err), m) {
				t.Errorf("revoke %q: message %q does not mention %q", st.ref, healthcode.ErrorMessage(err), m)
			}
		}
	}
	keys, err := e.svc.APIKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].RevokedAt.IsZero() || keys[1].RevokedAt.IsZero() {
		t.Errorf("keys after revoking = %+v, %v; want both revoked", keys, err)
	}
}

func TestCreateKeyChecksExpiryAndRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, _, err := e.svc.CreateKey(ctx, permission.Operator(), service.KeySpec{Name: "x", Role: healthcode.RoleCheckpoint, Region: "330106",
		ExpiresAt: start, Kinds: []string{"lab"}})
	wantCode(t, err, healthcode.EINVALID)
	if got, want := strings.Join(fieldNames(err), ","), "expires,kinds"; got != want {
		t.Errorf("fields = %s, want %s", got, want)
	}
	_, k, err := e.svc.CreateKey(ctx, permission.Operator(), service.KeySpec{Name: "lab", Role: healthcode.RoleFeed, Region: "330100",
		Kinds: []string{"lab"}, ExpiresAt: start.Add(time.Hour)})
	if err != nil || !k.ExpiresAt.Equal(start.Add(time.Hour)) || k.State(start) != healthcode.KeyActive {
		t.Errorf("feed key = %+v, %v; want active until an hour from now", k, err)
	}
}

// TestAFeedKeyKeepsToItsRegion: a Hangzhou key's rows about a Ningbo
// resident are rejected, by line, and the rest land; a row about someone
// who has not applied waits, and reaches them only if they declare a
// region within the key's.
func TestAFeedKeyKeepsToItsRegion(t *testing.T) {
	pack, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withPolicy(pack))...)
		ctx := context.Background()
		inCity, outside := validID(t, "33010619800101123"), validID(t, "33020619800101123")
		laterIn, laterOut := validID(t, "33010619800202123"), validID(t, "33020619800202123")
		a := mustApply(t, e, mustLogin(t, e, "13900060001"), applyInput(inCity, "赵六", "13900060001"))
		b := mustApply(t, e, mustLogin(t, e, "13900060002"), applyInput(outside, "钱七", "13900060002", inRegion("330206")))
		feed := feedKey(t, e, "contact") // region 330100
		csv := "source_ref,doc_number,at,type,exposure\n"
		for i, n := range []string{inCity, outside, laterIn, laterOut} {
			csv += "c-" + string(rune('1'+i)) + "," + n + ",2026-03-10 09:00,close,2026-03-09 20:00\n"
		}
		res, err := e.svc.Ingest(ctx, feed, "contact", feedRows(t, "contact", csv, start))
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || res.Pending != 2 || res.Duplicates != 0 || len(res.Refused) != 1 {
			t.Fatalf("feed = %+v, want 1 added, 2 pending, 1 refused", res)
		}
		if rej := res.Refused[0]; rej.Line != 3 || rej.Field != "doc_number" || !strings.Contains(rej.Reason, "outside this key's region 330100") {
			t.Errorf("rejection = %+v, want line 3, doc_number, outside the key's region", rej)
		}
		if got := storedPerson(t, e, a.ID).Status.Color; got != healthcode.Red {
			t.Errorf("the person in the key's city is %v, want red", got)
		}
		if got := storedPerson(t, e, b.ID).Status.Color; got != healthcode.Green || len(storedFacts(t, e, b.ID)) != 1 {
			t.Errorf("the person outside is %v with %d facts, want green with only the declaration", got, len(storedFacts(t, e, b.ID)))
		}
		c := mustApply(t, e, mustLogin(t, e, "13900060003"), applyInput(laterIn, "孙八", "13900060003"))
		d := mustApply(t, e, mustLogin(t, e, "13900060004"), applyInput(laterOut, "李九", "13900060004", inRegion("330206")))
		if c.Status.Color != healthcode.Red || d.Status.Color != healthcode.Green {
			t.Errorf("applying later: in the city %v, outside %v; want red and green", c.Status.Color, d.Status.Color)
		}
	})
}

// inRegion declares another region than 330106.
func inRegion(code string) applyOpt { return func(in *service.ApplyInput) { in.Region = code } }
