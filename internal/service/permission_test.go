package service_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// keyOf creates a key of role for region, by the operator, and returns its
// principal.
func keyOf(t *testing.T, e *testEnv, role healthcode.Role, region string) *healthcode.Principal {
	t.Helper()
	key, _, err := e.svc.CreateAPIKey(context.Background(), string(role)+" "+region, role, region)
	if err != nil {
		t.Fatal(err)
	}
	return keyPrincipal(t, e, key)
}

// TestAdminsActWithinTheirRegion: venues and simulated or evaluated packs must lie
// within the admin key's region, a province's key covering its cities.
func TestAdminsActWithinTheirRegion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	city, province := keyOf(t, e, healthcode.RoleAdmin, "330100"), keyOf(t, e, healthcode.RoleAdmin, "330000")
	venue := func(who *healthcode.Principal, region string) func() error {
		return func() error { _, err := e.svc.CreateVenue(ctx, who, "西湖景区3号门", region); return err }
	}
	simulate := func(who *healthcode.Principal, pack string) func() error {
		return func() error { _, err := e.svc.Simulate(ctx, who, service.SimulateInput{Pack: pack}, nil); return err }
	}
	evaluate := func(who *healthcode.Principal, pack string) func() error {
		return func() error {
			_, err := e.svc.EvaluatePack(ctx, who, service.EvaluateInput{Pack: pack, Facts: []map[string]any{}, At: "2026-03-01"})
			return err
		}
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"a city's venue in its district", venue(city, "330106"), ""},
		{"a city's venue in another province", venue(city, "110105"), healthcode.EFORBIDDEN},
		{"a city's venue in its province", venue(city, "330000"), healthcode.EFORBIDDEN},
		{"a province's venue in a city of it", venue(province, "330203"), ""},
		{"a bad region is invalid before it is forbidden", venue(city, "3301"), healthcode.EINVALID},
		{"a city simulates its pack", simulate(city, "zhejiang-hangzhou-2020"), ""},
		{"a city does not simulate its province's pack", simulate(city, "transfer-rules-2022"), healthcode.EFORBIDDEN},
		{"a city does not simulate Hubei's pack", simulate(city, "hubei-2020"), healthcode.EFORBIDDEN},
		{"a province simulates a city's pack", simulate(province, "zhejiang-hangzhou-2020"), ""},
		{"a province simulates its own pack", simulate(province, "transfer-rules-2022"), ""},
		{"the operator simulates anywhere", simulate(permission.Operator(), "hubei-2020"), ""},
		{"a city evaluates its pack", evaluate(city, "zhejiang-hangzhou-2020"), ""},
		{"a city does not evaluate Hubei's pack", evaluate(city, "hubei-2020"), healthcode.EFORBIDDEN},
		{"a province evaluates a city's pack", evaluate(province, "zhejiang-hangzhou-2020"), ""},
		{"a checkpoint evaluates nothing", evaluate(keyOf(t, e, healthcode.RoleCheckpoint, "330100"), "zhejiang-hangzhou-2020"), healthcode.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.call(), tt.want) })
	}
}

// TestOnlyTheOperatorMakesKeys: no key grants a key, not even one of its
// own role and region; the operator makes any key role for any region.
func TestOnlyTheOperatorMakesKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := keyOf(t, e, healthcode.RoleAdmin, "330000")
	for _, who := range []*healthcode.Principal{nil, admin, keyOf(t, e, healthcode.RoleCheckpoint, "330100")} {
		_, _, err := e.svc.CreateKey(ctx, who, service.KeySpec{Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330100"})
		wantCode(t, err, healthcode.EFORBIDDEN)
	}
	_, _, err := e.svc.CreateKey(ctx, permission.Operator(), service.KeySpec{Name: "hubei", Role: healthcode.RoleAdmin, Region: "420000"})
	wantCode(t, err, "")
}

// TestAFeedKeyWithoutARegionSendsNothing: a key's region is what keeps its
// rows to persons within it, and a key without one covers no region
// (permission.Can), so a feed key stored with none must be refused, not
// read as a key for anywhere. CreateKey never makes one; the store's
// region column accepts an empty one.
func TestAFeedKeyWithoutARegionSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const phone = "13900070001"
	number := validID(t, "11010519800101123")
	citizen := mustLogin(t, e, phone)
	in := applyInput(number, "孙八", phone)
	in.Region = "110105"
	p, err := e.svc.Apply(ctx, citizen, in)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "hck_a-feed-key-stored-without-a-region"
	sum := sha256.Sum256([]byte(secret))
	k := &healthcode.APIKey{Hash: sum[:], Name: "regionless", Role: healthcode.RoleFeed,
		Kinds: []string{"contact", "designation"}, CreatedAt: e.clock.Now()}
	if err := e.store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) }); err != nil {
		t.Fatal(err)
	}
	who := keyPrincipal(t, e, secret)
	rows := feedRows(t, "contact", "source_ref,doc_number,at,type,exposure\n"+
		"c-1,"+number+",2026-03-10 09:00,close,2026-03-09 20:00\n", start)
	res, err := e.svc.Ingest(ctx, who, "contact", rows)
	wantCode(t, err, healthcode.EFORBIDDEN)
	if res.Added != 0 || res.Pending != 0 {
		t.Errorf("a regionless key's contact feed = %+v, want nothing stored", res)
	}
	if st := storedPerson(t, e, p.ID).Status; st.Color != healthcode.Green {
		t.Errorf("the person of 110105 after a regionless key's feed: %v, want green", st.Color)
	}
	_, err = e.svc.Designate(ctx, who, nil)
	wantCode(t, err, healthcode.EFORBIDDEN)
}
