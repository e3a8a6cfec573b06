// Package permission is who may do what: named permissions, the
// permissions of each role as data (roles), and Can, which every route
// table and every service check asks. Nothing else looks at a role to
// decide what is allowed.
//
// A permission is region-scoped when what it acts on lies in a region: a
// key acts for its region (healthcode.Principal.Region) and everything
// within it in the GB/T 2260 hierarchy (healthcode.RegionWithin): a key of
// 330100 covers 330100 and 330106, not 330000 nor 110105; a key of 330000
// covers 3301xx and 3302xx. The operator (RoleOperator, the command line)
// covers every region. Can is given "" as the region where the check is
// not about one, as route tables do before the request is read; the
// service asks again with the region once it knows it.
//
// Decisions, per permission:
//
//   - VerifyDetails and RecordTemperature are not region-scoped: a
//     checkpoint scans visitors from anywhere, so the person's region says
//     nothing about whether the gate may see why a code is red.
//   - CreateVenues is scoped by the venue's region: an admin of 330100 may
//     make codes for venues in 330106, not in 110105.
//   - SimulatePolicy is scoped by every region the candidate pack is for:
//     simulating a pack is how a region prepares to switch it on, so an
//     admin of 330000 may simulate 330100's pack, and an admin of 330100
//     may not simulate the province's (330000) or Hubei's (420000). The
//     "all" option applies the pack to everyone stored but reports only
//     counts; it needs no wider scope than the pack's own regions.
//   - SendFeeds is region-scoped row by row: a feed names many persons, so
//     the route asks without a region and the ingest itself refuses rows
//     about persons who have not declared a region within the key's. Which
//     feed kinds a key may send is on the key (Principal.Kinds), not the
//     role, and the service checks it.
//   - ManagePersons, CheckIn, RecordVisits and EndSession are a citizen's
//     own: not region-scoped, since a citizen applies, checks in and visits
//     anywhere; who owns which person the service checks per person.
//   - StaffLogin is not region-scoped: a staff session is the key's own
//     authority, scoped as the key is.
//   - CreateKeys is region-scoped by the new key's region: see CanGrant.
//   - The officials' permissions (ViewPersons … ManageOfficials) are
//     scoped by the person's division, or the new account's scope: an
//     official's scope may be a town (9 digits) or a community (12), and
//     covers the persons whose declared division lies within it. Each
//     workflow step names the one permission it needs, so the chain
//     community → street → district is this table, not code. FileAppeals
//     is a citizen's own, as ManagePersons. IssuePasses is scoped the
//     same way: a community worker issues paper passes to the persons of
//     their community only.
//
// Officials' accounts are appointed (CanAppoint): the appointer holds
// ManageOfficials for a scope covering the new account's, so an
// administrator appoints only within its own scope, administrators too.
//
// No one grants what they do not hold (CanGrant): a key may be made only by
// a principal that holds CreateKeys, every permission of the new key's
// role, and a region covering the new key's. Only the operator holds
// CreateKeys today: `healthcode keys create-…` acts as Operator().
package permission
