package healthcode

import "time"

// The public log's entries of officials' findings (SPEC B7, D2). The
// colour changes they cause are logged as every colour change is; these
// say that an official acted, and under which record, naming the official
// by role and id and no person at all.
const (
	LogReleaseList     LogKind = "release-list"     // an isolation point's release list applied
	LogFindingRecorded LogKind = "finding-recorded" // a false declaration found
)

// LogRelease is a release list as the log shows it: its record, the
// division it was for, and how many rows released how many people. Not
// the file's hash: a list of one row could be matched to a guessed
// identity by it.
type LogRelease struct {
	List     int64  `json:"list"`
	Division string `json:"division"`
	Rows     int    `json:"rows"`
	Released int    `json:"released"`
}

// LogFinding is a finding as the log shows it: the credit record's id and
// the scope of the officer who recorded it, never the person, the finding's
// words (which may name them) or its evidence.
type LogFinding struct {
	Record int64  `json:"record"`
	Scope  string `json:"scope"`
}

// LogOfReleaseList is the entry of a release list applied at at.
func LogOfReleaseList(l *ReleaseList, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogReleaseList, At: at, Author: by,
		Release: &LogRelease{List: l.ID, Division: l.Division, Rows: l.Rows, Released: l.Released}}
}

// LogOfFinding is the entry of a credit record written at at by an
// officer of scope.
func LogOfFinding(c *CreditRecord, scope string, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogFindingRecorded, At: at, Author: by,
		Finding: &LogFinding{Record: c.ID, Scope: scope}}
}
