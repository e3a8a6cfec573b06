package workflow

import (
	"healthcode"
	"healthcode/internal/permission"
)

// Roles, shortened for the tables.
const (
	citizen   = healthcode.RoleCitizen
	community = healthcode.RoleCommunity
	street    = healthcode.RoleStreet
	district  = healthcode.RoleDistrict
)

// Actions. The names are the API's.
const (
	ActReject   = "reject"    // the district refuses; the filer reads the note
	ActUphold   = "uphold"    // the district agrees with an appeal, proposing a colour
	ActApprove  = "approve"   // the second official approves the transfer: it applies
	ActSendBack = "send_back" // the second official does not approve: back to the proposer
	ActPass     = "pass"      // a reviewer passes the case up
	ActReturn   = "return"    // a reviewer returns it, with a note
	ActRefile   = "refile"    // the community files a returned form again
	ActPropose  = "propose"   // the district proposes the transfer
	ActAccept   = "accept"    // the community takes up a citizen's error correction
	ActCommand  = "command"   // the district command decides to correct
	ActAudit    = "audit"     // the district prevention team audits the decision
	ActTest     = "organise_test"
)

// approval is the four-eyes step every colour-changing workflow ends in.
func approval(back string) []Step {
	return []Step{
		{Action: ActApprove, Role: district, Perm: permission.ApproveTransfers, To: Applied,
			Distinct: Proposer, Applies: true, Checks: CheckTransfer},
		{Action: ActSendBack, Role: district, Perm: permission.ApproveTransfers, To: back, Note: true, Distinct: Proposer},
	}
}

// The states of each kind, named for what they wait for.
var kinds = map[healthcode.WorkflowKind]kind{
	// D1: the citizen files, the district answers, a second district
	// official approves an upheld appeal's colour.
	healthcode.WorkflowAppeal: {
		first: map[healthcode.Role]string{citizen: "filed"},
		perm:  permission.FileAppeals,
		states: map[string][]Step{
			"filed": {
				{Action: ActUphold, Role: district, Perm: permission.DecideWorkflows, To: "proposed", Colour: true, Checks: CheckTransfer},
				{Action: ActReject, Role: district, Perm: permission.DecideWorkflows, To: Rejected, Note: true},
			},
			"proposed": approval("filed"),
		},
	},
	// D3: community form → street review → district agency → four eyes.
	healthcode.WorkflowHomeRelease: {
		first: map[healthcode.Role]string{community: "filed"},
		perm:  permission.StartWorkflows,
		states: map[string][]Step{
			"filed": {
				{Action: ActPass, Role: street, Perm: permission.ReviewWorkflows, To: "reviewed"},
				{Action: ActReturn, Role: street, Perm: permission.ReviewWorkflows, To: "returned", Note: true},
			},
			"returned": {{Action: ActRefile, Role: community, Perm: permission.StartWorkflows, To: "filed"}},
			"reviewed": {
				{Action: ActPropose, Role: district, Perm: permission.DecideWorkflows, To: "proposed", Colour: true,
					Only: healthcode.Green, Checks: CheckTransfer},
				{Action: ActReturn, Role: district, Perm: permission.DecideWorkflows, To: "filed", Note: true},
			},
			"proposed": approval("reviewed"),
		},
	},
	// D4: applicant → community → street → district command → district
	// prevention team audit → community organises a test → negative →
	// district proposes → four eyes.
	healthcode.WorkflowErrorCorrection: {
		first: map[healthcode.Role]string{citizen: "filed", community: "accepted"},
		perm:  permission.StartWorkflows, // a citizen files for their own person (FileAppeals)
		states: map[string][]Step{
			"filed": {
				{Action: ActAccept, Role: community, Perm: permission.StartWorkflows, To: "accepted"},
				{Action: ActReject, Role: community, Perm: permission.StartWorkflows, To: Rejected, Note: true},
			},
			"accepted": {
				{Action: ActPass, Role: street, Perm: permission.ReviewWorkflows, To: "reviewed"},
				{Action: ActReturn, Role: street, Perm: permission.ReviewWorkflows, To: "returned", Note: true},
			},
			"returned": {{Action: ActRefile, Role: community, Perm: permission.StartWorkflows, To: "accepted"}},
			"reviewed": {
				{Action: ActCommand, Role: district, Perm: permission.DecideWorkflows, To: "commanded"},
				{Action: ActReject, Role: district, Perm: permission.DecideWorkflows, To: Rejected, Note: true},
			},
			"commanded": {
				{Action: ActAudit, Role: district, Perm: permission.DecideWorkflows, To: "audited", Distinct: ActCommand},
				{Action: ActReject, Role: district, Perm: permission.DecideWorkflows, To: Rejected, Note: true},
			},
			"audited": {{Action: ActTest, Role: community, Perm: permission.StartWorkflows, To: "testing"}},
			"testing": {
				{Action: ActPropose, Role: district, Perm: permission.DecideWorkflows, To: "proposed", Colour: true,
					Checks: CheckNegativeTest},
			},
			"proposed": approval("testing"),
		},
	},
}
