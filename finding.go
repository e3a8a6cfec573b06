package healthcode

import (
	"context"
	"time"
)

// ReleaseList is an isolation point's list of the people it released from
// centralized isolation (SPEC D2: the "release of centralized isolation
// personnel information summary form"), as the audit keeps it: who
// uploaded it, for which point and division, and the SHA-256 of the file,
// so the signed paper form can be matched to what was applied. The rows
// themselves live on as the persons' release facts.
type ReleaseList struct {
	ID         int64
	UploadedBy string // the official's Author, "official:N"
	Point      string // the isolation point's name
	Division   string // the 6-, 9- or 12-digit division the point serves
	UploadedAt time.Time
	Rows       int    // rows in the file
	Released   int    // persons it released
	SHA256     []byte // of the file as uploaded
}

// CreditRecord is a false declaration found (SPEC B7, seeds 001 and 002:
// "纳入征信机制", "纳入个人诚信管理系统"): what an officer found, on
// which evidence, recorded by whom. Records are only ever appended; the
// person they concern, and officials with the person in scope, may read
// them.
type CreditRecord struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"-"`
	Finding    string    `json:"finding"`
	Evidence   string    `json:"evidence,omitempty"` // e.g. the investigation report's number
	RecordedBy string    `json:"recorded_by"`        // the official's Author, "official:N"
	At         time.Time `json:"at"`
}

// FindingReader reads what officials recorded about persons: release
// lists and credit records.
type FindingReader interface {
	// ReleaseLists returns up to n lists whose division is within scope
	// (RegionWithin), newest first.
	ReleaseLists(ctx context.Context, scope string, n int) ([]ReleaseList, error)
	// ReleaseListByFile returns the list of this division uploaded with a
	// file of this SHA-256. Errors: ENOTFOUND when there is none.
	ReleaseListByFile(ctx context.Context, division string, sha256 []byte) (*ReleaseList, error)
	// CreditRecords returns a person's credit records, oldest first.
	CreditRecords(ctx context.Context, personID int64) ([]CreditRecord, error)
}

// FindingWriter writes release lists and credit records.
type FindingWriter interface {
	// CreateReleaseList stores a list and sets its ID. Errors: ECONFLICT
	// when the division has a list of the same file already.
	CreateReleaseList(ctx context.Context, l *ReleaseList) error
	// AddCreditRecord appends a record and sets its ID; records are never
	// changed or deleted.
	AddCreditRecord(ctx context.Context, c *CreditRecord) error
}
