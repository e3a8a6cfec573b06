package publiclog_test

import (
	"context"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/publiclog"
)

// red is a colour change to red at at on the word of the keys.
func red(i int, at time.Time, keys ...int64) *healthcode.LogEntry {
	e := entry(i)
	e.At, e.History.To, e.History.FactKeys = at, healthcode.Red, keys
	return e
}

// Counted by author, the Henan pattern stands out: one feed key's word
// turning many red in an hour, beside the system's own changes.
func TestReportCountsByAuthorAndFindsARedBurst(t *testing.T) {
	ctx := context.Background()
	db := backends[0].open(t)
	l, _ := newLog(t, db)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	feed := &healthcode.APIKey{ID: 7, Role: healthcode.RoleFeed, Region: "410000"}
	entries := []*healthcode.LogEntry{
		healthcode.LogOfKey(healthcode.LogKeyCreated, feed, healthcode.LogAuthor{Role: healthcode.RoleOperator}, t0),
		red(1, t0.Add(time.Minute)), // the system's, on no key's word
	}
	for i := range 5 {
		entries = append(entries, red(10+i, t0.Add(time.Duration(10+i)*time.Minute), 7))
	}
	entries = append(entries, red(20, t0.Add(5*time.Hour), 7))
	for _, e := range entries {
		if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	size := drain(t, l, int64(len(entries))).Size

	acts, bursts, err := publiclog.Report(ctx, db, size, time.Time{}, 5, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []publiclog.Activity{
		{Author: "key 7 (feed)", Red: 6},
		{Author: "operator", KeysCreated: 1},
		{Author: "system", Red: 1},
	}
	if len(acts) != len(want) {
		t.Fatalf("activity %+v, want %+v", acts, want)
	}
	for i := range want {
		if acts[i] != want[i] {
			t.Errorf("activity %d = %+v, want %+v", i, acts[i], want[i])
		}
	}
	if len(bursts) != 1 || bursts[0].Author != "key 7 (feed)" || bursts[0].Count != 5 ||
		!bursts[0].From.Equal(t0.Add(10*time.Minute)) || !bursts[0].To.Equal(t0.Add(14*time.Minute)) {
		t.Errorf("bursts %+v, want key 7's 5 reds from 08:10 to 08:14", bursts)
	}
	acts, bursts, err = publiclog.Report(ctx, db, size, t0.Add(time.Hour), 2, time.Hour)
	if err != nil || len(acts) != 1 || acts[0].Red != 1 || len(bursts) != 0 {
		t.Errorf("since 09:00: %+v, bursts %+v, %v; want key 7's one later red and no burst", acts, bursts, err)
	}
}

// Officials' accounts and unmaskings are counted by who did them, an
// official by account id, never by a login.
func TestReportCountsOfficialsAndUnmaskings(t *testing.T) {
	ctx := context.Background()
	db := backends[0].open(t)
	l, _ := newLog(t, db)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	admin := &healthcode.Official{ID: 3, Role: healthcode.RoleAdministrator, Scope: "330106"}
	street := &healthcode.Official{ID: 4, Role: healthcode.RoleStreet, Scope: "330106001"}
	district := healthcode.LogAuthor{Role: healthcode.RoleDistrict, Official: 5}
	entries := []*healthcode.LogEntry{
		healthcode.LogOfOfficial(healthcode.LogOfficialCreated, admin, healthcode.LogAuthor{Role: healthcode.RoleOperator}, t0),
		healthcode.LogOfOfficial(healthcode.LogOfficialCreated, street, healthcode.LogAuthorOf(admin.Principal()), t0),
		healthcode.LogOfOfficial(healthcode.LogOfficialDisabled, street, healthcode.LogAuthorOf(admin.Principal()), t0),
		healthcode.LogOfUnmasking(&healthcode.Unmasking{Category: healthcode.UnmaskInvestigation, At: t0}, district),
		healthcode.LogOfUnmasking(&healthcode.Unmasking{Category: healthcode.UnmaskWorkflow, At: t0}, district),
	}
	for _, e := range entries {
		if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	size := drain(t, l, int64(len(entries))).Size
	acts, _, err := publiclog.Report(ctx, db, size, time.Time{}, 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []publiclog.Activity{
		{Author: "official 3", Appointed: 1, Disabled: 1},
		{Author: "official 5", Unmasked: 2},
		{Author: "operator", Appointed: 1},
	}
	if len(acts) != len(want) {
		t.Fatalf("activity %+v, want %+v", acts, want)
	}
	for i := range want {
		if acts[i] != want[i] {
			t.Errorf("activity %d = %+v, want %+v", i, acts[i], want[i])
		}
	}
}
