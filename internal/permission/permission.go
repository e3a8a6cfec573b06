package permission

import "healthcode"

// Permission is one thing a principal may do; a Set is several. The zero
// value, None, is what an open route needs: nothing.
type Permission uint64

// None is no permission at all: anyone, logged in or not, has it.
const None Permission = 0

// The permissions. Their names and descriptions are in list, their
// holders in roles.
const (
	VerifyDetails Permission = 1 << iota
	RecordTemperature
	ManagePersons
	CheckIn
	RecordVisits
	EndSession
	StaffLogin
	SimulatePolicy
	CreateVenues
	SendFeeds
	CreateKeys

	last // one past the last permission
)

// info describes one permission.
type info struct {
	perm     Permission
	name     string
	what     string
	regional bool // whether Can checks the region given
}

// list names every permission, in the order the docs show them.
var list = []info{
	{VerifyDetails, "verify-details", "see why a verified code has its colour", false},
	{RecordTemperature, "record-temperature", "record a body temperature with a verification", false},
	{ManagePersons, "manage-persons", "apply for, view, modify and reapply for one's own persons and show their codes", false},
	{CheckIn, "check-in", "check in one's own persons (daily declaration)", false},
	{RecordVisits, "record-visits", "record a venue visit for one's own persons", false},
	{EndSession, "end-session", "log out of one's own session over the API", false},
	{StaffLogin, "staff-login", "open a staff session on the pages with an API key", false},
	{SimulatePolicy, "simulate-policy", "simulate or evaluate a policy pack for its regions, writing nothing", true},
	{CreateVenues, "create-venues", "make venue codes for venues in a region", true},
	{SendFeeds, "send-feeds", "send data feeds of the key's kinds, rows about persons in its region", true},
	{CreateKeys, "create-keys", "create API keys for a region, within one's own permissions", true},
}

// grant is what a role holds.
type grant struct {
	role       healthcode.Role
	perms      Permission
	key        bool // the role is an API key's: CanGrant may make one
	nationwide bool // covers every region whatever the principal's Region
}

// roles is the role → permissions table, in the order the docs show it.
var roles = []grant{
	{healthcode.RoleCitizen, ManagePersons | CheckIn | RecordVisits | EndSession, false, false},
	{healthcode.RoleCheckpoint, VerifyDetails | RecordTemperature | StaffLogin, true, false},
	{healthcode.RoleAdmin, StaffLogin | SimulatePolicy | CreateVenues, true, false},
	{healthcode.RoleFeed, SendFeeds, true, false},
	{healthcode.RoleOperator, last - 1, false, true},
}

func grantOf(r healthcode.Role) (grant, bool) {
	for _, g := range roles {
		if g.role == r {
			return g, true
		}
	}
	return grant{}, false
}

// Of is the set of permissions a role holds; None for an unknown role.
func Of(r healthcode.Role) Permission {
	g, _ := grantOf(r)
	return g.perms
}

// Roles lists every role of the table.
func Roles() []healthcode.Role {
	out := make([]healthcode.Role, len(roles))
	for i, g := range roles {
		out[i] = g.role
	}
	return out
}

// String is the permission's name, or the names of a set joined by "+".
func (p Permission) String() string {
	if p == None {
		return "none"
	}
	s := ""
	for _, in := range list {
		if p&in.perm != 0 {
			if s != "" {
				s += "+"
			}
			s += in.name
		}
	}
	if p&^(last-1) != 0 {
		s += "+unknown"
	}
	return s
}

// RegionScoped reports whether Can checks the region for p (for a set:
// for any of it).
func (p Permission) RegionScoped() bool {
	for _, in := range list {
		if p&in.perm != 0 && in.regional {
			return true
		}
	}
	return false
}

// Operator is the principal the command line acts as: the operator of the
// deployment, who holds every permission in every region.
func Operator() *healthcode.Principal {
	return &healthcode.Principal{Role: healthcode.RoleOperator, Name: "operator"}
}

// Can reports whether who may do perm (every permission of a set) about
// region: "" when the check is not about a region. perm None needs
// nothing, so anyone, nil included, may; otherwise a nil principal may
// not. For a region-scoped permission the region must be valid and lie
// within the principal's (see the package doc).
func Can(who *healthcode.Principal, perm Permission, region string) bool {
	if perm == None {
		return true
	}
	if who == nil || perm&^(last-1) != 0 {
		return false
	}
	g, ok := grantOf(who.Role)
	if !ok || g.perms&perm != perm {
		return false
	}
	if region == "" || !perm.RegionScoped() {
		return true
	}
	return covers(g, who, region)
}

// covers reports whether the principal of grant g acts for region.
func covers(g grant, who *healthcode.Principal, region string) bool {
	if healthcode.ValidateRegion(region) != "" {
		return false
	}
	return g.nationwide || healthcode.RegionWithin(region, who.Region)
}

// CanGrant reports whether granter may make a key of role for region: the
// role must be a key's, and granter must hold CreateKeys and every
// permission of the role, for a region that covers the new key's. No one
// grants what they do not hold.
func CanGrant(granter *healthcode.Principal, role healthcode.Role, region string) bool {
	g, ok := grantOf(role)
	if !ok || !g.key || g.nationwide || region == "" {
		return false
	}
	// CreateKeys is region-scoped, so the region is checked even when the
	// role's own permissions are not: a checkpoint key is still a region's.
	return Can(granter, CreateKeys|g.perms, region)
}
