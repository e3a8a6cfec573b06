package healthcode

import (
	"context"
	"time"
)

// AccountReader reads accounts, their one-time codes and the guesses at
// them, and the sessions of citizens and staff.
type AccountReader interface {
	AccountByPhone(ctx context.Context, phoneHash []byte) (*Account, error)
	Account(ctx context.Context, id int64) (*Account, error)
	OTP(ctx context.Context, phoneHash []byte) (*OTP, error)
	Session(ctx context.Context, tokenHash []byte, now time.Time) (*Session, error)
	StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (*StaffSession, error)
	// Guesses returns how many one-time-code guesses the phone made in its
	// current run (Tx.CountGuess) and when the last of them was made.
	Guesses(ctx context.Context, phoneHash []byte) (n int, last time.Time, err error)
}

// KeyReader reads API keys.
type KeyReader interface {
	APIKey(ctx context.Context, hash []byte) (*APIKey, error)
	// APIKeys lists every key, revoked and expired ones too, in id order.
	APIKeys(ctx context.Context) ([]APIKey, error)
}

// PersonReader reads persons, with their statuses, and their history.
type PersonReader interface {
	// Person, PersonByIdentity and PersonByCode fill in Person.Status.
	Person(ctx context.Context, id int64) (*Person, error)
	PersonByIdentity(ctx context.Context, idHash []byte) (*Person, error)
	PersonByCode(ctx context.Context, codeID []byte) (*Person, error)
	// PersonsByOwner lists the persons an account manages, itself first.
	PersonsByOwner(ctx context.Context, accountID int64) ([]*Person, error)
	// History returns a person's colour changes, oldest first.
	History(ctx context.Context, personID int64) ([]HistoryEntry, error)
	// HistoryAfter returns up to n history entries of anyone, in the
	// order they were stored (ID), from the first after ID after: the
	// whole history page by page, for checking it against the public log.
	HistoryAfter(ctx context.Context, after int64, n int) ([]HistoryEntry, error)
}

// FactReader reads facts.
type FactReader interface {
	// Facts returns a person's facts in the order they happened.
	Facts(ctx context.Context, personID int64) ([]Fact, error)
	// FactsOf returns the facts of several persons in one query, each
	// person's in the order they happened, as Facts does. Persons without
	// facts have no entry.
	FactsOf(ctx context.Context, ids []int64) (map[int64][]Fact, error)
}

// DesignationReader reads designations and the stays they may colour.
type DesignationReader interface {
	// Designations returns the designations of any of the areas, in the
	// order they were stored. Read through a transaction, it holds the
	// areas against AddDesignations until the transaction ends: a trip
	// stored meanwhile is then either seen by the designation's StayerIDs
	// or sees the designation.
	Designations(ctx context.Context, areas []string) ([]Designation, error)
	// StayerIDs lists, in id order and each once, the persons with a stay
	// in the area reported without a level: the people a designation of
	// the area may colour.
	StayerIDs(ctx context.Context, area string) ([]int64, error)
}

// LogReader reads the public log (docs/log.md): its sequenced entries,
// the Merkle tree's stored hashes and the latest signed head.
type LogReader interface {
	// LogHead returns the latest signed tree head. Errors: ENOTFOUND
	// before the sequencer signed the first.
	LogHead(ctx context.Context) (*LogHead, error)
	// LogEntries returns up to n entries from leaf from on, in leaf order:
	// only sequenced ones, so fewer at the end of the log.
	LogEntries(ctx context.Context, from int64, n int) ([]LogRecord, error)
	// LogHashes returns the stored hashes at the storage indexes, in the
	// order asked. Errors: ENOTFOUND when one is not stored.
	LogHashes(ctx context.Context, indexes []int64) ([][]byte, error)
	// LogLeaves returns the leaves of the entries recording the history
	// entries of these ids (HistoryEntry.ID), by id, with the salt of
	// each one's commitment: leaf -1 for one written but not placed yet;
	// an id the log does not hold is left out.
	LogLeaves(ctx context.Context, historyIDs []int64) (map[int64]LogLeaf, error)
}

// LogLeaf is where a history entry is in the log (-1 before it is
// placed) and the salt that opens its commitment there.
type LogLeaf struct {
	Leaf int64
	Salt []byte
}

// OfficialReader reads officials' accounts, their sessions, the record of
// unmaskings, and the persons in a division officials look through.
type OfficialReader interface {
	Official(ctx context.Context, id int64) (*Official, error)
	OfficialByLogin(ctx context.Context, login string) (*Official, error)
	// Officials lists the accounts, disabled ones too, in id order: all
	// of them for within "", else those whose scope lies within the
	// division within (RegionWithin).
	Officials(ctx context.Context, within string) ([]Official, error)
	// OfficialSession returns the session live at now.
	OfficialSession(ctx context.Context, tokenHash []byte, now time.Time) (*OfficialSession, error)
	// Unmaskings returns a person's unmaskings, oldest first.
	Unmaskings(ctx context.Context, personID int64) ([]Unmasking, error)
	// PersonsInDivision returns up to n persons, with their statuses,
	// whose Division lies within division (RegionWithin), in id order
	// from the first after id after: an official's scope page by page,
	// read from the index on (region, community).
	PersonsInDivision(ctx context.Context, division string, after int64, n int) ([]*Person, error)
}

// WorkflowReader reads officials' workflows, their steps and attachments.
type WorkflowReader interface {
	// Workflow returns a workflow with its attachment's metadata, if any.
	Workflow(ctx context.Context, id int64) (*Workflow, error)
	// WorkflowSteps returns a workflow's steps in order; none is not an
	// error.
	WorkflowSteps(ctx context.Context, workflowID int64) ([]WorkflowStep, error)
	// WorkflowsOf lists a person's workflows, newest first; none is not
	// an error.
	WorkflowsOf(ctx context.Context, personID int64) ([]Workflow, error)
	// WorkQueue lists up to limit open workflows whose Division starts
	// with prefix (a RegionPrefix) and whose next step is for one of
	// roles, the earliest deadline first; none is not an error.
	WorkQueue(ctx context.Context, prefix string, roles []Role, limit int) ([]Workflow, error)
	// WorkflowAttachment returns the file filed with a workflow.
	WorkflowAttachment(ctx context.Context, workflowID int64) (*Attachment, error)
}

// Reader holds the store's reads. Both the store (each read on its own) and
// a transaction (reads inside it) implement it. Every method returns an
// ENOTFOUND *Error when nothing matches.
type Reader interface {
	AccountReader
	KeyReader
	PersonReader
	FactReader
	DesignationReader
	LogReader
	OfficialReader
	FindingReader
	WorkflowReader
	PassReader
}

// AccountWriter writes accounts, one-time codes, guesses and sessions.
type AccountWriter interface {
	CreateAccount(ctx context.Context, a *Account) error
	PutOTP(ctx context.Context, o *OTP) error
	DeleteOTP(ctx context.Context, phoneHash []byte) error
	// CountGuess counts one guess at a one-time code sent to the phone and
	// returns how many the phone made in its current run of guesses, this
	// one included, and when the last guess that could be checked (one of
	// the first limit) was made. A run ends after quiet without a guess:
	// a guess then starts a new one. So however the guesses are spread, no
	// span of quiet sees more than limit guesses checked. Counting comes
	// before checking, and the phone's count stays locked until the
	// transaction ends, so however many guesses race, at most limit are
	// checked; the caller rolls back a guess past the limit.
	CountGuess(ctx context.Context, phoneHash []byte, now time.Time, quiet time.Duration, limit int) (n int, last time.Time, err error)
	// ClearGuesses forgets a phone's guesses, after a right one.
	ClearGuesses(ctx context.Context, phoneHash []byte) error
	// LockAccount holds an account against other writers until the
	// transaction ends, so that limits counted per account (relatives)
	// hold while its applications race.
	LockAccount(ctx context.Context, id int64) error
	CreateSession(ctx context.Context, s *Session) error
	// DeleteSession ends a session (logging out); deleting one that is
	// not there is not an error.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	CreateStaffSession(ctx context.Context, s *StaffSession) error
	// DeleteStaffSession is DeleteSession for staff sessions.
	DeleteStaffSession(ctx context.Context, tokenHash []byte) error
	// CountVerdict adds one verdict to the tally of the staff session
	// live at now, a pass or a refusal, and returns the session with its
	// tally. Errors: ENOTFOUND for no such session, or one expired.
	CountVerdict(ctx context.Context, tokenHash []byte, now time.Time, passed bool) (*StaffSession, error)
}

// KeyWriter writes API keys.
type KeyWriter interface {
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// RevokeAPIKey marks the key with the id revoked at the given time.
	// Errors: ENOTFOUND for no such key, ECONFLICT when it was revoked
	// already (its first revocation time stays).
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
}

// PersonWriter locks and writes persons, their statuses and their history.
type PersonWriter interface {
	// LockPerson reads a person and holds it against concurrent writers
	// until the transaction ends, so evaluations of one person serialise.
	LockPerson(ctx context.Context, id int64) (*Person, error)
	// LockPersons is LockPerson for several persons in one round trip,
	// returned in id order. A person another transaction holds is left
	// out instead of waited for (PostgreSQL: SKIP LOCKED), so schedulers
	// running side by side share the work rather than queue behind each
	// other; missing persons are left out too.
	LockPersons(ctx context.Context, ids []int64) ([]*Person, error)
	// LockByIdentity is LockPerson for the persons holding any of many
	// identity hashes, for feeds that name people by identity: one round
	// trip, persons returned in id order and locked in that order, waiting
	// for those another transaction holds (a feed may leave no one out), so
	// batches sharing persons queue instead of deadlocking. Hashes of no
	// person are left out (this is not an ENOTFOUND).
	LockByIdentity(ctx context.Context, idHashes [][]byte) ([]*Person, error)
	// LockAll is LockPersons waiting for the persons another transaction
	// holds instead of leaving them out: for work that may leave no one out.
	LockAll(ctx context.Context, ids []int64) ([]*Person, error)
	CreatePerson(ctx context.Context, p *Person) error
	// UpdatePerson writes every field of a stored person, its owner too:
	// an identity taken back by its verified owner changes hands.
	UpdatePerson(ctx context.Context, p *Person) error
	// PutStatus replaces a person's current status.
	PutStatus(ctx context.Context, personID int64, s *Status) error
	// AppendHistory adds a sealed entry; entries are never changed.
	AppendHistory(ctx context.Context, h *HistoryEntry) error
	// PutStatuses is PutStatus for many persons (person id → status) in a
	// few statements rather than one per person.
	PutStatuses(ctx context.Context, statuses map[int64]*Status) error
	// AppendHistories is AppendHistory for many entries at once. It sets
	// each entry's ID; an entry whose person already has its Seq is an
	// ECONFLICT, as with AppendHistory.
	AppendHistories(ctx context.Context, entries []*HistoryEntry) error
}

// FactWriter writes facts, pending facts and voided ones: what feeds send.
type FactWriter interface {
	AddFact(ctx context.Context, f *Fact) error
	// AddFacts stores a feed's facts in a few statements, idempotently: a
	// fact whose (Source, SourceRef) is already stored, or comes earlier
	// in the same batch, is skipped as a duplicate, so re-sending a file
	// changes nothing. Facts with an empty SourceRef are always added.
	// It sets the ID of the facts it added and returns exactly those, in
	// the order given; the service evaluates their persons again.
	AddFacts(ctx context.Context, facts []*Fact) (added []*Fact, err error)
	// AddPendingFacts keeps facts about people who have not applied yet,
	// each under the identity hash at the same index of idHashes (the
	// slices are parallel; their PersonID is ignored), until
	// TakePendingFacts moves them when the person applies. Feeds call it
	// for the identities LockByIdentity did not find. It is as
	// idempotent as AddFacts: a fact whose (Source, SourceRef) is already
	// pending, already among the facts (taken earlier), or earlier in the
	// batch is skipped. It returns how many it kept and sets no IDs.
	// within is a RegionPrefix the person's declared region must start
	// with for the facts to be taken ("" for any region): a feed key may
	// not colour people outside its region by sending before they apply.
	AddPendingFacts(ctx context.Context, idHashes [][]byte, facts []*Fact, within string) (added int, err error)
	// TakePendingFacts moves the facts pending for an identity to the
	// person who now holds it, in the transaction that creates the person
	// (the application), so that their first evaluation sees them. The
	// pending rows are deleted, so a second take returns nothing; Source
	// and SourceRef are kept, so a feed re-sending them later adds nothing.
	// It returns the facts added, with their IDs, in the order they
	// happened; one already among the facts is not added again. Facts
	// kept for a region the person's declared region is not within stay
	// pending, for a take after the person declares a region within it
	// (a modification or re-application): neither added nor lost.
	TakePendingFacts(ctx context.Context, idHash []byte, personID int64) ([]*Fact, error)
	// VoidFacts sets aside the facts of a person with this source and
	// author — what a wrong claim on the identity said itself — into the
	// voided facts, with the reason and time: kept, never evaluated again.
	// It returns how many it set aside.
	VoidFacts(ctx context.Context, personID int64, source, author, reason string, at time.Time) (int, error)
}

// OfficialWriter writes officials' accounts, their sessions and
// unmaskings.
type OfficialWriter interface {
	// CreateOfficial sets o.ID. Errors: ECONFLICT for a login taken.
	CreateOfficial(ctx context.Context, o *Official) error
	// UpdateOfficial writes what changes on an account: DisabledAt,
	// TOTPStep, FailedLogins, FailedSince and LockedUntil. Writing a
	// disabled account ends its sessions. Errors: ENOTFOUND.
	UpdateOfficial(ctx context.Context, o *Official) error
	CreateOfficialSession(ctx context.Context, s *OfficialSession) error
	// DeleteOfficialSession ends a session; one not there is no error.
	DeleteOfficialSession(ctx context.Context, tokenHash []byte) error
	// AddUnmasking records an unmasking and sets u.ID; records are never
	// changed.
	AddUnmasking(ctx context.Context, u *Unmasking) error
}

// DesignationWriter writes designations.
type DesignationWriter interface {
	// AddDesignations stores designations, skipping one whose (Source,
	// SourceRef) is stored already or comes earlier in ds, and returns how
	// many it stored. It waits for transactions that read designations of
	// the same areas to end.
	AddDesignations(ctx context.Context, ds []*Designation) (added int, err error)
}

// LogWriter writes the public log: entries in the transaction of the
// action they record, and the sequencer's rounds.
type LogWriter interface {
	// AppendLog adds entries, encoded (LogEntry.Encode), without a leaf:
	// the sequencer places them once the transaction has committed.
	AppendLog(ctx context.Context, entries ...*LogEntry) error
	// LockLog makes the transaction the one sequencer until it ends, and
	// reports false, at once, when another transaction is (PostgreSQL:
	// an advisory lock; SQLite's one writer is always alone).
	LockLog(ctx context.Context) (bool, error)
	// PendingLog returns up to limit committed entries without a leaf
	// whose ids follow after (the latest head's Through), in id order,
	// and the Through the head placing them may record. It may wait,
	// briefly, for writers in flight, so that no entry can later commit
	// with an id below the ones it returns.
	PendingLog(ctx context.Context, after int64, limit int) ([]LogRecord, int64, error)
	// SequenceLog stores a round of the sequencer. Errors: ECONFLICT
	// when an entry has a leaf already or a hash or head is stored.
	SequenceLog(ctx context.Context, b *LogBatch) error
}

// WorkflowWriter files workflows and records their steps.
type WorkflowWriter interface {
	// CreateWorkflow stores a workflow as filed, with its attachment (nil
	// for none), and sets its ID. Errors: ECONFLICT for a second open
	// appeal of one person.
	CreateWorkflow(ctx context.Context, w *Workflow, a *Attachment) error
	// AppendWorkflowStep adds step s to w and stores w's new State,
	// NextRole, Deadline, Seq (= s.Seq), Outcome and ClosedAt. Errors:
	// ECONFLICT when the workflow has a step s.Seq already (another
	// official took it first), ENOTFOUND for no such workflow.
	AppendWorkflowStep(ctx context.Context, w *Workflow, s *WorkflowStep) error
}

// Tx is a read-write transaction. Writes that break a uniqueness rule
// return an ECONFLICT *Error. After any error the transaction is spent:
// PostgreSQL refuses further statements, so check before writing instead
// of catching a conflict and carrying on.
type Tx interface {
	Reader

	// OTP, read through a transaction, holds the code against concurrent
	// logins until the transaction ends, so every wrong guess is counted;
	// OfficialByLogin holds the official's account the same way.

	AccountWriter
	KeyWriter
	PersonWriter
	FactWriter
	DesignationWriter
	LogWriter
	OfficialWriter
	FindingWriter
	WorkflowWriter
	PassWriter
}

// Store is the persistence of healthcode, implemented by internal/store
// for SQLite and PostgreSQL and checked by one conformance suite.
type Store interface {
	Reader
	// RateStore's statements run on their own, outside any Update: a
	// request counts against its limits even when its work rolls back.
	RateStore
	// Update runs fn in a transaction, committed when fn returns nil and
	// rolled back otherwise. fn must read through its Tx, never the Store:
	// the store's reads do not see the transaction's writes and take a
	// second connection.
	Update(ctx context.Context, fn func(Tx) error) error
	// DuePersons returns the ids of up to limit persons whose status's
	// next evaluation is at or before now, the longest overdue first. It
	// reads the index on next_eval_at and never scans the statuses table,
	// so the scheduler may ask often however many people there are.
	DuePersons(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// EachPerson calls fn for every person, with their facts, in id order,
	// reading page persons at a time so that memory stays bounded however
	// many there are. It stops at fn's first error and returns it.
	EachPerson(ctx context.Context, page int, fn func(*Person, []Fact) error) error
	// Purge deletes the one-time codes and sessions (citizens', staff's
	// and officials') that expired at or before now, and the runs of
	// guesses whose last guess was at or before guessesBefore, and
	// returns how many rows it deleted: those tables then hold only what
	// is still live, however long the service runs.
	Purge(ctx context.Context, now, guessesBefore time.Time) (int64, error)
	// Ping checks that the database answers, cheaply, for readiness
	// probes. Errors: EUNAVAILABLE when it cannot be reached.
	Ping(ctx context.Context) error
	Close() error
}
