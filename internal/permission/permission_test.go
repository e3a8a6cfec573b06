package permission

import (
	"flag"
	"os"
	"strings"
	"testing"

	"healthcode"
)

func key(role healthcode.Role, region string) *healthcode.Principal {
	return &healthcode.Principal{Role: role, KeyID: 1, Region: region}
}

func official(role healthcode.Role, scope string) *healthcode.Principal {
	return &healthcode.Principal{Role: role, OfficialID: 1, Region: scope}
}

func TestCanFollowsTheRoleTableAndTheRegionHierarchy(t *testing.T) {
	citizen := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1}
	tests := []struct {
		name   string
		who    *healthcode.Principal
		perm   Permission
		region string
		want   bool
	}{
		{"anyone needs no permission", nil, None, "", true},
		{"anonymous holds nothing", nil, ManagePersons, "", false},
		{"citizen manages persons", citizen, ManagePersons, "", true},
		{"citizen's own permissions ignore regions", citizen, CheckIn, "110105", true},
		{"citizen does not see why a code is red", citizen, VerifyDetails, "", false},
		{"checkpoint sees why", key(healthcode.RoleCheckpoint, "330100"), VerifyDetails, "", true},
		{"checkpoint sees why for visitors from anywhere", key(healthcode.RoleCheckpoint, "330100"), VerifyDetails, "110105", true},
		{"checkpoint records temperatures", key(healthcode.RoleCheckpoint, "330100"), RecordTemperature, "", true},
		{"admin does not record temperatures", key(healthcode.RoleAdmin, "330100"), RecordTemperature, "", false},
		{"admin without a region in question", key(healthcode.RoleAdmin, "330100"), CreateVenues, "", true},
		{"city covers its district", key(healthcode.RoleAdmin, "330100"), CreateVenues, "330106", true},
		{"city covers itself", key(healthcode.RoleAdmin, "330100"), CreateVenues, "330100", true},
		{"city does not cover another province", key(healthcode.RoleAdmin, "330100"), CreateVenues, "110105", false},
		{"city does not cover its province", key(healthcode.RoleAdmin, "330100"), SimulatePolicy, "330000", false},
		{"city does not cover a sister city", key(healthcode.RoleAdmin, "330100"), SimulatePolicy, "330200", false},
		{"province covers its cities", key(healthcode.RoleAdmin, "330000"), SimulatePolicy, "330100", true},
		{"province covers a second city's district", key(healthcode.RoleAdmin, "330000"), CreateVenues, "330203", true},
		{"district covers only itself", key(healthcode.RoleAdmin, "330106"), CreateVenues, "330100", false},
		{"a key without a region covers none", key(healthcode.RoleAdmin, ""), CreateVenues, "330100", false},
		{"an invalid region is covered by no one", key(healthcode.RoleAdmin, "330000"), CreateVenues, "33010", false},
		{"feed sends feeds", key(healthcode.RoleFeed, "110000"), SendFeeds, "", true},
		{"feed does not create venues", key(healthcode.RoleFeed, "110000"), CreateVenues, "110105", false},
		{"a set needs every permission", key(healthcode.RoleCheckpoint, "330100"), VerifyDetails | CreateVenues, "", false},
		{"an unknown role holds nothing", key("official", "330100"), StaffLogin, "", false},
		{"an unknown permission is no one's", Operator(), last, "", false},
		{"operator covers every region", Operator(), SimulatePolicy, "420000", true},
		{"a street covers its community", official(healthcode.RoleStreet, "330106001"), ViewPersons, "330106001002", true},
		{"a street covers itself", official(healthcode.RoleStreet, "330106001"), ViewPersons, "330106001", true},
		{"a street does not cover its sister's community", official(healthcode.RoleStreet, "330106001"), ViewPersons, "330106002001", false},
		{"a street does not cover its district", official(healthcode.RoleStreet, "330106001"), ViewPersons, "330106", false},
		{"a district covers a community in it", official(healthcode.RoleDistrict, "330106"), DecideWorkflows, "330106001002", true},
		{"a city covers a community in a district of it", official(healthcode.RoleDistrict, "330100"), DecideWorkflows, "330106001002", true},
		{"a community is not a town code ending 000", official(healthcode.RoleDistrict, "330106"), DecideWorkflows, "330106001000", false},
		{"a community worker does not decide", official(healthcode.RoleCommunity, "330106001002"), DecideWorkflows, "330106001002", false},
		{"operator holds every permission", Operator(), last - 1, "", true},
	}
	for _, tt := range tests {
		if got := Can(tt.who, tt.perm, tt.region); got != tt.want {
			t.Errorf("%s: Can(%+v, %v, %q) = %v, want %v", tt.name, tt.who, tt.perm, tt.region, got, tt.want)
		}
	}
}

func TestNoOneGrantsWhatTheyDoNotHold(t *testing.T) {
	tests := []struct {
		name    string
		granter *healthcode.Principal
		role    healthcode.Role
		region  string
		want    bool
	}{
		{"operator makes a checkpoint key", Operator(), healthcode.RoleCheckpoint, "330100", true},
		{"operator makes an admin key anywhere", Operator(), healthcode.RoleAdmin, "420000", true},
		{"operator makes a feed key", Operator(), healthcode.RoleFeed, "110000", true},
		{"operator needs a region", Operator(), healthcode.RoleCheckpoint, "", false},
		{"operator needs a valid region", Operator(), healthcode.RoleCheckpoint, "990000", false},
		{"no one makes operators", Operator(), healthcode.RoleOperator, "330100", false},
		{"citizens are not keys", Operator(), healthcode.RoleCitizen, "330100", false},
		{"an unknown role is not granted", Operator(), "official", "330100", false},
		{"anonymous grants nothing", nil, healthcode.RoleCheckpoint, "330100", false},
		{"an admin does not make keys", key(healthcode.RoleAdmin, "330000"), healthcode.RoleAdmin, "330100", false},
		{"a checkpoint does not make keys", key(healthcode.RoleCheckpoint, "330100"), healthcode.RoleCheckpoint, "330100", false},
		{"a citizen does not make keys", &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1}, healthcode.RoleFeed, "330100", false},
	}
	for _, tt := range tests {
		if got := CanGrant(tt.granter, tt.role, tt.region); got != tt.want {
			t.Errorf("%s: CanGrant(%+v, %s, %q) = %v, want %v", tt.name, tt.granter, tt.role, tt.region, got, tt.want)
		}
	}
}

// TestGrantingNeedsTheRolesPermissionsAndTheRegion checks CanGrant's rule
// against a granter the table does not have: one that may create keys and
// holds an admin's permissions, for 330100.
func TestGrantingNeedsTheRolesPermissionsAndTheRegion(t *testing.T) {
	roles = append(roles, grant{role: "key-officer", perms: CreateKeys | Of(healthcode.RoleAdmin), key: true})
	defer func() { roles = roles[:len(roles)-1] }()
	officer := key("key-officer", "330100")
	tests := []struct {
		role   healthcode.Role
		region string
		want   bool
	}{
		{healthcode.RoleAdmin, "330106", true},       // it holds all an admin holds, in its region
		{healthcode.RoleAdmin, "330000", false},      // not for the province above it
		{healthcode.RoleAdmin, "110105", false},      // nor elsewhere
		{healthcode.RoleCheckpoint, "330100", false}, // it cannot verify with details itself
		{healthcode.RoleFeed, "330100", false},       // nor send feeds
	}
	for _, tt := range tests {
		if got := CanGrant(officer, tt.role, tt.region); got != tt.want {
			t.Errorf("CanGrant(officer of 330100, %s, %q) = %v, want %v", tt.role, tt.region, got, tt.want)
		}
	}
}

func TestEveryPermissionIsNamedAndAllButCreateKeysHeldByARequestsRole(t *testing.T) {
	var named, held Permission
	for _, in := range list {
		if in.name == "" || in.what == "" || named&in.perm != 0 {
			t.Errorf("permission %d: empty or twice in the list", in.perm)
		}
		named |= in.perm
	}
	for _, g := range roles {
		if g.role != healthcode.RoleOperator {
			held |= g.perms
		}
	}
	if named != last-1 {
		t.Errorf("named %v, want every permission", named)
	}
	if want := (last - 1) &^ CreateKeys; held != want { // only the operator makes keys
		t.Errorf("roles but the operator hold %v, want %v", held, want)
	}
}

func TestPermissionString(t *testing.T) {
	tests := []struct {
		p    Permission
		want string
	}{
		{None, "none"},
		{CreateVenues, "create-venues"},
		{VerifyDetails | RecordTemperature, "verify-details+record-temperature"},
		{last, "+unknown"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite docs/permissions.md's table from the data")

const docPath = "../../docs/permissions.md"
const begin, end = "<!-- permissions:begin (generated: go test ./internal/permission -update) -->\n", "<!-- permissions:end -->"

// TestDocMatchesTheTable keeps docs/permissions.md's table the one in
// roles; -update rewrites it.
func TestDocMatchesTheTable(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	before, rest, ok1 := strings.Cut(doc, begin)
	got, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no generated table between %q and %q", docPath, begin, end)
	}
	if want := Markdown(); got != want {
		if *update {
			if err := os.WriteFile(docPath, []byte(before+begin+want+end+after), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s's table differs from the role table; run go test ./internal/permission -update\ngot:\n%s\nwant:\n%s", docPath, got, want)
	}
}

func TestAppointingStaysWithinTheAppointersScope(t *testing.T) {
	admin := official(healthcode.RoleAdministrator, "330106")
	tests := []struct {
		name    string
		granter *healthcode.Principal
		role    healthcode.Role
		scope   string
		want    bool
	}{
		{"operator appoints a district officer", Operator(), healthcode.RoleDistrict, "330106", true},
		{"operator appoints an administrator of a province", Operator(), healthcode.RoleAdministrator, "330000", true},
		{"operator needs a valid scope", Operator(), healthcode.RoleStreet, "330106000", false},
		{"operator needs a scope", Operator(), healthcode.RoleStreet, "", false},
		{"an administrator appoints a street within its district", admin, healthcode.RoleStreet, "330106001", true},
		{"an administrator appoints a community worker", admin, healthcode.RoleCommunity, "330106001002", true},
		{"an administrator appoints an administrator of its own scope", admin, healthcode.RoleAdministrator, "330106", true},
		{"an administrator appoints an administrator below it", admin, healthcode.RoleAdministrator, "330106001", true},
		{"not an administrator of the city above", admin, healthcode.RoleAdministrator, "330100", false},
		{"not a district officer of the city above", admin, healthcode.RoleDistrict, "330100", false},
		{"not a sister district's street", admin, healthcode.RoleStreet, "330102001", false},
		{"a street administrator does not appoint for its district", official(healthcode.RoleAdministrator, "330106001"), healthcode.RoleStreet, "330106", false},
		{"keys are not appointed", admin, healthcode.RoleCheckpoint, "330106", false},
		{"citizens are not appointed", Operator(), healthcode.RoleCitizen, "330106", false},
		{"operators are not appointed", Operator(), healthcode.RoleOperator, "330106", false},
		{"a district officer does not appoint", official(healthcode.RoleDistrict, "330106"), healthcode.RoleStreet, "330106001", false},
		{"an admin key does not appoint", key(healthcode.RoleAdmin, "330100"), healthcode.RoleStreet, "330106001", false},
		{"anonymous does not appoint", nil, healthcode.RoleStreet, "330106001", false},
	}
	for _, tt := range tests {
		if got := CanAppoint(tt.granter, tt.role, tt.scope); got != tt.want {
			t.Errorf("%s: CanAppoint(%+v, %s, %q) = %v, want %v", tt.name, tt.granter, tt.role, tt.scope, got, tt.want)
		}
	}
}
