package service

import (
	"context"

	"healthcode/internal/ingest"
	"healthcode/internal/service/apply"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/service/feeds"
	"healthcode/internal/service/findings"
	"healthcode/internal/service/officials"
	"healthcode/internal/service/onetime"
	"healthcode/internal/service/passes"
	"healthcode/internal/service/schedule"
	"healthcode/internal/service/signin"
	"healthcode/internal/service/venues"
	"healthcode/internal/service/workflows"
)

// OfficialViewOf is an official's account as listings show it.
var OfficialViewOf = officials.ViewOf

// The parts' types, under the names callers have always used.
type (
	// Sign-in and keys.
	LoginResult = signin.LoginResult
	OTPResult   = onetime.Result
	KeySpec     = signin.KeySpec
	Shift       = signin.Shift

	// Applications and the views of persons.
	ApplyInput       = apply.ApplyInput
	Applicant        = apply.Applicant
	ManyResult       = apply.ManyResult
	DeclarationInput = apply.DeclarationInput
	ModifyInput      = apply.ModifyInput
	ConsentInput     = apply.ConsentInput
	PersonView       = apply.PersonView
	History          = apply.History
	HistoryEntry     = apply.HistoryEntry

	// Officials' accounts and what they see.
	OfficialSpec    = officials.Spec
	OfficialView    = officials.View
	Appointed       = officials.Appointed
	OfficialSession = officials.Session
	PersonSummary   = officials.PersonSummary
	PersonFile      = officials.PersonFile
	Identity        = officials.Identity

	// Codes at the door and check-ins.
	Code         = checkpoint.Code
	VerifyInput  = checkpoint.VerifyInput
	Verification = checkpoint.Verification

	// Paper passes and look-ups by ID number.
	PassInput     = passes.IssueInput
	Pass          = passes.Pass
	LookupInput   = passes.LookupInput
	CheckInInput  = checkpoint.CheckInInput
	CheckInResult = checkpoint.CheckInResult
	Health        = checkpoint.Health
	TestRecord    = checkpoint.TestRecord

	// Feeds.
	IngestResult      = feeds.IngestResult
	DesignationResult = feeds.DesignationResult
	Stream            = feeds.Stream

	// Officials' findings.
	ReleaseList       = findings.ReleaseList
	ReleaseReport     = findings.ReleaseReport
	ReleaseRowOutcome = findings.Outcome
	ReleaseView       = findings.ListView
	Finding           = findings.Finding
	FindingResult     = findings.FindingResult

	// Runs over everyone.
	SimulateInput = schedule.SimulateInput
	// EvaluateInput and EvaluateResult are EvaluatePack's.
	EvaluateInput  = schedule.EvaluateInput
	EvaluateResult = schedule.EvaluateResult

	// Venues.
	Venue = venues.Venue

	// Workflows.
	AppealInput  = workflows.AppealInput
	File         = workflows.File
	StartInput   = workflows.StartInput
	StepInput    = workflows.StepInput
	WorkflowView = workflows.View
)

// ErrConsentRequired is the answer to an application for a relative with
// a phone of their own that carries no consent code (apply.ErrConsentRequired).
var ErrConsentRequired = apply.ErrConsentRequired

// IngestStream decodes a feed and stores it batch by batch
// (feeds.IngestStream).
func IngestStream(ctx context.Context, dec *ingest.Decoder, st Stream) (IngestResult, int, error) {
	return feeds.IngestStream(ctx, dec, st)
}
