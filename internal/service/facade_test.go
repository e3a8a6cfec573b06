package service_test

import (
	"reflect"
	"testing"

	"healthcode/internal/service"
)

// TestServiceCarriesEveryPartsMethods checks that Service offers every
// method callers use. Two parts with a method of the same name would make
// the name ambiguous, and Go drops an ambiguous name from the method set
// without a word until a caller uses it: this finds it first.
func TestServiceCarriesEveryPartsMethods(t *testing.T) {
	want := []string{
		// signin
		"RequestOTP", "Login", "Logout", "StaffLogin", "Authenticate", "PurgeExpired", "FormToken",
		"Shift", "CountVerdict",
		"CreateKey", "CreateAPIKey", "CreateFeedKey", "APIKeys", "RevokeAPIKey",
		// apply
		"Apply", "ApplyMany", "CheckApplication", "Reapply", "Modify", "RequestConsent",
		"Persons", "Person", "Status", "History", "LoginPhone",
		// checkpoint
		"Code", "Verify", "CheckIn", "Health", "Keys", "Issuer", "Holder", "TrustList", "TrustedKeys", "LinkForeignCode",
		// feeds
		"Ingest", "IngestAs", "FeedAllowed", "Designate", "DesignateAs",
		// findings
		"UploadReleaseList", "ReleaseLists", "RecordFinding", "CreditRecords",
		// schedule
		"EvaluateDue", "Simulate", "SimulatePack", "EvaluatePack", "RecordPolicy",
		// venues
		"CreateVenue", "Venue", "Visit",
		// officials
		"CreateOfficial", "ListOfficials", "DisableOfficial", "DisableOfficialByLogin", "OfficialLogin", "OfficialLogout",
		"PersonsInScope", "OfficialPerson", "UnmaskPerson",
		// publiclog
		"LogVerifierKey", "LogHead", "LogEntry", "LogInclusion", "LogConsistency", "LogTile", "LogInclusions", "SequenceLog", "RunSequencer", "WatchReds",
		// workflows
		"FileAppeal", "StartWorkflow", "Act", "WorkQueue", "Workflow", "Appeals", "WorkflowAttachment", "PersonWorkflows",
		// passes
		"IssuePass", "PersonPasses", "PassSheet", "RevokePass", "LookUpPerson",
		// the facade itself
		"Limit", "Ready",
	}
	typ := reflect.TypeFor[*service.Service]()
	for _, name := range want {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("*service.Service has no method %s (missing, or ambiguous between two parts)", name)
		}
	}
	if got := typ.NumMethod(); got != len(want) {
		var names []string
		for i := range got {
			names = append(names, typ.Method(i).Name)
		}
		t.Errorf("*service.Service has %d methods, want the %d listed: %v", got, len(want), names)
	}
}
