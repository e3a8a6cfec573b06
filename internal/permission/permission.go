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
	ViewPersons
	UnmaskPersons
	FileAppeals
	StartWorkflows
	ReviewWorkflows
	DecideWorkflows
	ApproveTransfers
	UploadReleaseLists
	RecordFindings
	ReadAudit
	ManageOfficials
	IssuePasses

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
	{ViewPersons, "view-persons", "see the file of a person in one's scope, masked", true},
	{UnmaskPersons, "unmask-persons", "see a person's name, ID number and phone in full, giving a reason that is logged", true},
	{FileAppeals, "file-appeals", "file an appeal (复核) about one's own person's code", false},
	{StartWorkflows, "start-workflows", "fill a workflow's first form for a person in one's scope (home release, error correction)", true},
	{ReviewWorkflows, "review-workflows", "review a workflow's step passed up from a community in one's scope", true},
	{DecideWorkflows, "decide-workflows", "decide a workflow for a person in one's scope: answer appeals, approve releases, propose a transfer", true},
	{ApproveTransfers, "approve-transfers", "approve another official's transfer as the second pair of eyes", true},
	{UploadReleaseLists, "upload-release-lists", "upload an isolation point's list of released people", true},
	{RecordFindings, "record-findings", "record a false declaration found, with evidence", true},
	{ReadAudit, "read-audit", "read workflows and officials' activity in one's scope, changing nothing", true},
	{ManageOfficials, "manage-officials", "create, list and disable officials' accounts within one's scope and permissions", true},
	{IssuePasses, "issue-passes", "issue and revoke paper passes for persons in one's scope, after checking them in person", true},
}

// grant is what a role holds.
type grant struct {
	role       healthcode.Role
	perms      Permission
	key        bool // the role is an API key's: CanGrant may make one
	official   bool // the role is an official's account's
	nationwide bool // covers every region whatever the principal's Region
}

// roles is the role → permissions table, in the order the docs show it.
var roles = []grant{
	{healthcode.RoleCitizen, ManagePersons | CheckIn | RecordVisits | EndSession | FileAppeals, false, false, false},
	{healthcode.RoleCheckpoint, VerifyDetails | RecordTemperature | StaffLogin, true, false, false},
	{healthcode.RoleAdmin, StaffLogin | SimulatePolicy | CreateVenues, true, false, false},
	{healthcode.RoleFeed, SendFeeds, true, false, false},
	{healthcode.RoleCommunity, ViewPersons | UnmaskPersons | StartWorkflows | IssuePasses, false, true, false},
	{healthcode.RoleStreet, ViewPersons | UnmaskPersons | ReviewWorkflows, false, true, false},
	{healthcode.RoleDistrict, ViewPersons | UnmaskPersons | DecideWorkflows | ApproveTransfers | RecordFindings, false, true, false},
	{healthcode.RoleIsolation, ViewPersons | UploadReleaseLists, false, true, false},
	{healthcode.RoleAuditor, ViewPersons | ReadAudit, false, true, false},
	{healthcode.RoleAdministrator, ManageOfficials, false, true, false},
	{healthcode.RoleOperator, last - 1, false, false, true},
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

// Official reports whether r is an official's role: one an account of a
// person holds, appointed within a scope (CanAppoint).
func Official(r healthcode.Role) bool {
	g, ok := grantOf(r)
	return ok && g.official
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
	if healthcode.ScopeProblem(region) != nil {
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

// CanAppoint reports whether granter may open an official's account of
// role for scope: the role must be an official's, and granter must hold
// ManageOfficials for a region covering the scope, so an administrator
// appoints only within its own scope, administrators too, and no one
// grants a scope they do not hold. The operator appoints anyone anywhere.
func CanAppoint(granter *healthcode.Principal, role healthcode.Role, scope string) bool {
	g, ok := grantOf(role)
	if !ok || !g.official || scope == "" {
		return false
	}
	return Can(granter, ManageOfficials, scope)
}
