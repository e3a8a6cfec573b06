package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

func newOfficial(login string, role healthcode.Role, scope string) *healthcode.Official {
	return &healthcode.Official{Login: login, Role: role, Scope: scope, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		TOTPSealed: []byte("sealed-" + login), CreatedAt: at, CreatedBy: "operator"}
}

func mustOfficial(t *testing.T, s healthcode.Store, o *healthcode.Official) *healthcode.Official {
	t.Helper()
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateOfficial(context.Background(), o) })
	return o
}

func testOfficialsRoundTrip(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	o := mustOfficial(t, s, newOfficial("wang.street", healthcode.RoleStreet, "330106001"))
	if o.ID == 0 {
		t.Fatal("no id assigned")
	}
	for name, get := range map[string]func() (*healthcode.Official, error){
		"by id":    func() (*healthcode.Official, error) { return s.Official(ctx, o.ID) },
		"by login": func() (*healthcode.Official, error) { return s.OfficialByLogin(ctx, "wang.street") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, o) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, o)
		}
	}
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		return tx.CreateOfficial(ctx, newOfficial("wang.street", healthcode.RoleDistrict, "330106"))
	})
	wantCode(t, err, healthcode.ECONFLICT)
	_, err = s.OfficialByLogin(ctx, "nobody")
	wantCode(t, err, healthcode.ENOTFOUND)
	_, err = s.Official(ctx, o.ID+100)
	wantCode(t, err, healthcode.ENOTFOUND)

	// What a login changes is written back.
	o.TOTPStep, o.FailedLogins, o.FailedSince, o.LockedUntil = 59000001, 3, at.Add(time.Minute), at.Add(15*time.Minute)
	update(t, s, func(tx healthcode.Tx) error { return tx.UpdateOfficial(ctx, o) })
	if got, err := s.Official(ctx, o.ID); err != nil || !reflect.DeepEqual(got, o) {
		t.Errorf("after update: %+v, %v; want %+v", got, err, o)
	}
	missing := newOfficial("ghost", healthcode.RoleStreet, "330106001")
	missing.ID = o.ID + 100
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.UpdateOfficial(ctx, missing) })
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testOfficialsListedWithinAScope(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	for _, o := range []*healthcode.Official{
		newOfficial("city", healthcode.RoleAdministrator, "330100"),
		newOfficial("district", healthcode.RoleDistrict, "330106"),
		newOfficial("street", healthcode.RoleStreet, "330106001"),
		newOfficial("community", healthcode.RoleCommunity, "330106001002"),
		newOfficial("sister", healthcode.RoleStreet, "330106002"),
		newOfficial("other-city", healthcode.RoleDistrict, "330203"),
		newOfficial("hubei", healthcode.RoleDistrict, "420102"),
	} {
		mustOfficial(t, s, o)
	}
	logins := func(os []healthcode.Official) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Login)
		}
		return out
	}
	tests := []struct {
		within string
		want   []string
	}{
		{"", []string{"city", "district", "street", "community", "sister", "other-city", "hubei"}},
		{"330000", []string{"city", "district", "street", "community", "sister", "other-city"}},
		{"330100", []string{"city", "district", "street", "community", "sister"}},
		{"330106", []string{"district", "street", "community", "sister"}},
		{"330106001", []string{"street", "community"}},
		{"330106001002", []string{"community"}},
		{"110000", nil},
	}
	for _, tt := range tests {
		got, err := s.Officials(ctx, tt.within)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(logins(got), tt.want) {
			t.Errorf("Officials(%q) = %v, want %v", tt.within, logins(got), tt.want)
		}
	}
}

func testOfficialSessionsEndWithTheAccount(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	o := mustOfficial(t, s, newOfficial("li.district", healthcode.RoleDistrict, "330106"))
	other := mustOfficial(t, s, newOfficial("zhao.district", healthcode.RoleDistrict, "330106"))
	update(t, s, func(tx healthcode.Tx) error {
		for _, sess := range []*healthcode.OfficialSession{
			{TokenHash: []byte("t1"), OfficialID: o.ID, CreatedAt: at, ExpiresAt: at.Add(8 * time.Hour)},
			{TokenHash: []byte("t2"), OfficialID: o.ID, CreatedAt: at, ExpiresAt: at.Add(8 * time.Hour)},
			{TokenHash: []byte("t3"), OfficialID: other.ID, CreatedAt: at, ExpiresAt: at.Add(8 * time.Hour)},
		} {
			if err := tx.CreateOfficialSession(ctx, sess); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.OfficialSession(ctx, []byte("t1"), at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.OfficialID != o.ID || !got.CreatedAt.Equal(at) || !got.ExpiresAt.Equal(at.Add(8*time.Hour)) {
		t.Errorf("session = %+v", got)
	}
	_, err = s.OfficialSession(ctx, []byte("t1"), at.Add(8*time.Hour))
	wantCode(t, err, healthcode.ENOTFOUND)
	for range 2 { // logging out twice is harmless
		update(t, s, func(tx healthcode.Tx) error { return tx.DeleteOfficialSession(ctx, []byte("t2")) })
	}
	_, err = s.OfficialSession(ctx, []byte("t2"), at)
	wantCode(t, err, healthcode.ENOTFOUND)

	// Disabling an account ends its sessions, and no one else's.
	update(t, s, func(tx healthcode.Tx) error {
		return tx.CreateOfficialSession(ctx, &healthcode.OfficialSession{TokenHash: []byte("t4"), OfficialID: o.ID,
			CreatedAt: at, ExpiresAt: at.Add(8 * time.Hour)})
	})
	o.DisabledAt = at.Add(time.Hour)
	update(t, s, func(tx healthcode.Tx) error { return tx.UpdateOfficial(ctx, o) })
	_, err = s.OfficialSession(ctx, []byte("t4"), at)
	wantCode(t, err, healthcode.ENOTFOUND)
	if _, err := s.OfficialSession(ctx, []byte("t3"), at); err != nil {
		t.Errorf("another official's session ended: %v", err)
	}

	// Purge deletes the expired sessions only.
	n, err := s.Purge(ctx, at.Add(9*time.Hour), at)
	if err != nil || n != 1 {
		t.Errorf("purge = %d, %v; want the one expired official session", n, err)
	}
	n, err = s.Purge(ctx, at.Add(time.Hour), at)
	if err != nil || n != 0 {
		t.Errorf("second purge = %d, %v; want nothing", n, err)
	}
}

func testUnmaskingsAreRecorded(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000051")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 51))
	o := mustOfficial(t, s, newOfficial("sun.district", healthcode.RoleDistrict, "330106"))
	want := []healthcode.Unmasking{
		{OfficialID: o.ID, PersonID: p.ID, Reason: "流调核实身份信息", Category: healthcode.UnmaskInvestigation, At: at},
		{OfficialID: o.ID, PersonID: p.ID, Reason: "citizen called the hotline", Category: healthcode.UnmaskCitizenRequest, At: at.Add(time.Hour)},
	}
	update(t, s, func(tx healthcode.Tx) error {
		for i := range want {
			if err := tx.AddUnmasking(ctx, &want[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.Unmaskings(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want[0].ID == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("unmaskings:\n got %+v\nwant %+v", got, want)
	}
	if got, err := s.Unmaskings(ctx, p.ID+100); err != nil || len(got) != 0 {
		t.Errorf("unmaskings of another person = %v, %v; want none", got, err)
	}
}

func testPersonsInDivisionPageThroughAScope(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000061")
	places := []struct{ region, community string }{
		{"330106", ""},             // 1: the district only
		{"330106", "330106001"},    // 2: a street
		{"330106", "330106001002"}, // 3: a community of that street
		{"330106", "330106002001"}, // 4: a community of the sister street
		{"330102", "330102001"},    // 5: another district of the city
		{"330203", ""},             // 6: another city
		{"420102", "420102001001"}, // 7: another province
		{"330106", "330106001003"}, // 8: a second community of the street
	}
	ids := make([]int64, len(places))
	for i, pl := range places {
		p := newPerson(a.ID, healthcode.RelationOther, 60+i)
		p.Region, p.Community = pl.region, pl.community
		ids[i] = mustPerson(t, s, p).ID
	}
	pick := func(ns ...int) []int64 {
		out := []int64{}
		for _, n := range ns {
			out = append(out, ids[n-1])
		}
		return out
	}
	tests := []struct {
		division string
		want     []int64
	}{
		{"330000", pick(1, 2, 3, 4, 5, 6, 8)},
		{"330100", pick(1, 2, 3, 4, 5, 8)},
		{"330106", pick(1, 2, 3, 4, 8)},
		{"330106001", pick(2, 3, 8)},
		{"330106001002", pick(3)},
		{"330106002", pick(4)},
		{"420000", pick(7)},
		{"110000", pick()},
	}
	for _, tt := range tests {
		// Two at a time, so the pages are stitched by after.
		got, after := []int64{}, int64(0)
		for range len(places) {
			page, err := s.PersonsInDivision(ctx, tt.division, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				got = append(got, p.ID)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].ID
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("PersonsInDivision(%q) = %v, want %v", tt.division, got, tt.want)
		}
	}
	_, err := s.PersonsInDivision(ctx, "33010", 0, 10)
	wantCode(t, err, healthcode.EINVALID)
}
