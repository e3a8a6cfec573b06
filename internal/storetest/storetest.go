// Package storetest is the conformance suite every healthcode.Store passes.
// Each store package calls Run with a function opening a fresh, empty store,
// so SQLite and PostgreSQL are held to exactly the same behaviour.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"healthcode"
)

// Opener returns a new empty store, closed when the test ends.
type Opener func(t *testing.T) healthcode.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s healthcode.Store)
	}{
		{"AccountsAreUniqueByPhone", testAccounts},
		{"OTPIsReplacedAndDeleted", testOTP},
		{"SessionsExpire", testSessions},
		{"StaffSessionsExpireAndEnd", testStaffSessions},
		{"StaffSessionsCountTheirShift", testShiftCounts},
		{"APIKeysRoundTrip", testAPIKeys},
		{"PersonsRoundTripAndAreFoundEveryWay", testPersons},
		{"OnePersonOneCode", testPersonUniqueness},
		{"UpdatePersonChangesFields", testUpdatePerson},
		{"FactsKeepPayloadAndOrder", testFacts},
		{"StatusIsReplaced", testStatus},
		{"HistoryIsAChain", testHistory},
		{"HistoryNamesFacts", testHistoryNamesFacts},
		{"HistoryAfterPagesEveryone", testHistoryAfter},
		{"FailedUpdateWritesNothing", testRollback},
		{"LockPersonSerialisesWriters", testLockPerson},
		{"LockPersonSeesCommittedStatus", testLockSeesCommittedStatus},
		{"EachPersonWalksEveryoneInPages", testEachPerson},
		{"DuePersonsInOrderOfDue", testDuePersons},
		{"LockPersonsReadsSeveral", testLockPersons},
		{"FactsOfSeveralInOrder", testFactsOf},
		{"PutStatusesReplaces", testPutStatuses},
		{"AppendHistoriesChains", testAppendHistories},
		{"BatchesBeyondOneStatement", testBatchesBeyondOneStatement},
		{"AddFactsSkipsDuplicates", testAddFacts},
		{"AddFactsBeyondOneStatement", testAddFactsBeyondOneStatement},
		{"PendingFactsAreTakenOnce", testPendingFacts},
		{"LockByIdentity", testLockByIdentity},
		{"LockAllReadsSeveral", testLockAll},
		{"DesignationsAreStoredOnce", testDesignations},
		{"StayerIDsFindLevellessStays", testStayerIDs},
		{"APIKeyKindsRoundTrip", testAPIKeyKinds},
		{"AccountByID", testAccountByID},
		{"GuessesCountPerRun", testGuesses},
		{"GuessesRaceToTheLimit", testGuessesRace},
		{"PurgeDeletesWhatExpired", testPurge},
		{"VoidFactsSetsAsideOneAuthorsOwn", testVoidFacts},
		{"VoidedFactIDsAreNeverReused", testVoidedFactIDsAreNeverReused},
		{"LockAccount", testLockAccount},
		{"APIKeysAreListedWithExpiry", testAPIKeysListed},
		{"RevokeAPIKeyOnce", testRevokeAPIKey},
		{"PendingFactsWaitForTheSendersRegion", testPendingFactsKeepToRegion},
		{"DeadlinesAreUnavailable", testUnavailableOnDeadline},
		{"RateBucketBurstsAndRefills", testRateBucket},
		{"RateLimitHoldsForConcurrentCallers", testRateConcurrent},
		{"PurgeRatesKeepsBucketsInUse", testPurgeRates},
		{"LogEntriesArePlacedOnce", testLogEntriesArePlacedOnce},
		{"OfficialsRoundTrip", testOfficialsRoundTrip},
		{"OfficialsListedWithinAScope", testOfficialsListedWithinAScope},
		{"OfficialSessionsEndWithTheAccount", testOfficialSessionsEndWithTheAccount},
		{"UnmaskingsAreRecorded", testUnmaskingsAreRecorded},
		{"PersonsInDivisionPageThroughAScope", testPersonsInDivisionPageThroughAScope},
		{"ReleaseListsByScopeNewestFirst", testReleaseLists},
		{"CreditRecordsPerPerson", testCreditRecords},
		{"WorkflowsRoundTripWithStepsAndAttachment", testWorkflowsRoundTrip},
		{"OneOpenWorkflowOfAKindPerPerson", testOneOpenWorkflowOfAKindPerPerson},
		{"PassesRoundTripAndRevokeOnce", testPassesRoundTripAndRevokeOnce},
		{"WorkQueueByScopeRoleAndDeadline", testWorkQueue},
		{"WorkflowStepRaceHasOneWinner", testWorkflowStepRace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// at is a fixed instant with microsecond precision, what both stores keep.
var at = time.Date(2026, 3, 1, 8, 30, 0, 123456000, time.UTC)

func update(t *testing.T, s healthcode.Store, fn func(tx healthcode.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := healthcode.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustAccount(t *testing.T, s healthcode.Store, phone string) *healthcode.Account {
	t.Helper()
	a := &healthcode.Account{PhoneHash: []byte("h-" + phone), PhoneSealed: []byte("s-" + phone), CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateAccount(context.Background(), a) })
	return a
}

func newPerson(owner int64, rel healthcode.Relation, n int) *healthcode.Person {
	tag := fmt.Sprint(n)
	return &healthcode.Person{
		OwnerID: owner, Relation: rel, DocType: healthcode.DocResidentID,
		IDHash: []byte("idh" + tag), IDSealed: []byte("ids" + tag), NameSealed: []byte("name" + tag),
		NameMasked: "张*三", IDTail: "001X", PhoneHash: []byte("ph" + tag), PhoneSealed: []byte("ps" + tag),
		Region: "330106", CodeID: []byte("code-" + tag), CreatedAt: at, UpdatedAt: at,
	}
}

func mustPerson(t *testing.T, s healthcode.Store, p *healthcode.Person) *healthcode.Person {
	t.Helper()
	update(t, s, func(tx healthcode.Tx) error { return tx.CreatePerson(context.Background(), p) })
	return p
}

func testAccounts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000001")
	got, err := s.AccountByPhone(ctx, a.PhoneHash)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || !bytes.Equal(got.PhoneSealed, a.PhoneSealed) || !got.CreatedAt.Equal(at) {
		t.Errorf("got %+v, want %+v", got, a)
	}
	err = s.Update(ctx, func(tx healthcode.Tx) error {
		return tx.CreateAccount(ctx, &healthcode.Account{PhoneHash: a.PhoneHash, PhoneSealed: []byte("x"), CreatedAt: at})
	})
	wantCode(t, err, healthcode.ECONFLICT)
	_, err = s.AccountByPhone(ctx, []byte("nobody"))
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testOTP(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	o := &healthcode.OTP{PhoneHash: []byte("p"), CodeHash: []byte("c1"), SentAt: at, ExpiresAt: at.Add(5 * time.Minute)}
	update(t, s, func(tx healthcode.Tx) error { return tx.PutOTP(ctx, o) })
	o2 := &healthcode.OTP{PhoneHash: []byte("p"), CodeHash: []byte("c2"), SentAt: at.Add(time.Minute),
		ExpiresAt: at.Add(6 * time.Minute)}
	update(t, s, func(tx healthcode.Tx) error { return tx.PutOTP(ctx, o2) })
	got, err := s.OTP(ctx, []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got.CodeHash) != "c2" || !got.ExpiresAt.Equal(o2.ExpiresAt) || !got.SentAt.Equal(o2.SentAt) {
		t.Errorf("got %+v, want %+v", got, o2)
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.DeleteOTP(ctx, []byte("p")) })
	_, err = s.OTP(ctx, []byte("p"))
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testSessions(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000002")
	sess := &healthcode.Session{TokenHash: []byte("tok"), AccountID: a.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateSession(ctx, sess) })
	got, err := s.Session(ctx, []byte("tok"), at.Add(59*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.AccountID != a.ID || !got.ExpiresAt.Equal(sess.ExpiresAt) {
		t.Errorf("got %+v, want %+v", got, sess)
	}
	_, err = s.Session(ctx, []byte("tok"), at.Add(time.Hour))
	wantCode(t, err, healthcode.ENOTFOUND)

	// Logging out deletes the session, and a second log-out is harmless.
	other := &healthcode.Session{TokenHash: []byte("tok2"), AccountID: a.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateSession(ctx, other) })
	for range 2 {
		update(t, s, func(tx healthcode.Tx) error { return tx.DeleteSession(ctx, []byte("tok2")) })
	}
	_, err = s.Session(ctx, []byte("tok2"), at)
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testStaffSessions(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	k := &healthcode.APIKey{Hash: []byte("gate-key"), Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) })
	sess := &healthcode.StaffSession{TokenHash: []byte("stok"), KeyHash: k.Hash, CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateStaffSession(ctx, sess) })
	got, err := s.StaffSession(ctx, []byte("stok"), at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.KeyHash, k.Hash) || !got.CreatedAt.Equal(at) || !got.ExpiresAt.Equal(sess.ExpiresAt) {
		t.Errorf("got %+v, want %+v", got, sess)
	}
	_, err = s.StaffSession(ctx, []byte("stok"), at.Add(12*time.Hour))
	wantCode(t, err, healthcode.ENOTFOUND)
	for range 2 { // logging out twice is harmless
		update(t, s, func(tx healthcode.Tx) error { return tx.DeleteStaffSession(ctx, []byte("stok")) })
	}
	_, err = s.StaffSession(ctx, []byte("stok"), at)
	wantCode(t, err, healthcode.ENOTFOUND)
	// A citizen's session token is not a staff session, nor the reverse.
	_, err = s.Session(ctx, []byte("stok"), at)
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testShiftCounts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	k := &healthcode.APIKey{Hash: []byte("shift-key"), Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) })
	for _, tok := range []string{"shift", "other-shift"} {
		sess := &healthcode.StaffSession{TokenHash: []byte(tok), KeyHash: k.Hash, CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
		update(t, s, func(tx healthcode.Tx) error { return tx.CreateStaffSession(ctx, sess) })
	}
	var last *healthcode.StaffSession
	for _, passed := range []bool{true, false, true, true} {
		update(t, s, func(tx healthcode.Tx) (err error) {
			last, err = tx.CountVerdict(ctx, []byte("shift"), at.Add(time.Hour), passed)
			return err
		})
	}
	if last.Passed != 3 || last.Refused != 1 || !bytes.Equal(last.KeyHash, k.Hash) {
		t.Errorf("after 3 passes and 1 refusal CountVerdict returned %+v", last)
	}
	for tok, want := range map[string][2]int{"shift": {3, 1}, "other-shift": {0, 0}} {
		got, err := s.StaffSession(ctx, []byte(tok), at.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if [2]int{got.Passed, got.Refused} != want {
			t.Errorf("session %s: passed, refused = %d, %d, want %v", tok, got.Passed, got.Refused, want)
		}
	}
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		_, err := tx.CountVerdict(ctx, []byte("shift"), at.Add(12*time.Hour), true)
		return err
	})
	wantCode(t, err, healthcode.ENOTFOUND) // an ended shift counts no more
}

func testAPIKeys(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	k := &healthcode.APIKey{Hash: []byte("kh"), Name: "West Lake gate", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) })
	got, err := s.APIKey(ctx, []byte("kh"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != k.ID || got.Name != k.Name || got.Role != k.Role || got.Region != k.Region || !got.RevokedAt.IsZero() {
		t.Errorf("got %+v, want %+v", got, k)
	}
}
