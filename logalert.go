package healthcode

import "time"

// LogRedAlert is an alert the sequencer writes when many people turned
// red on one key's word in a short time — the pattern of Henan, 2022,
// where a handful of accounts red-coded 1 317 people. It accuses no one:
// a lab feed in an outbreak may cross it honestly; it makes the burst
// public while it happens, not after.
const LogRedAlert LogKind = "red-alert"

// LogAlert is what a red alert says: whose word (the key or the official), how many reds
// within how long, from when to when.
type LogAlert struct {
	Key int64 `json:"key,omitempty"`
	// Official is the official whose word it was, for an alert on one
	// (a finding, a release list); Key is then absent.
	Official int64     `json:"official,omitempty"`
	Reds     int       `json:"reds"`
	Within   string    `json:"within"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
}

// LogOfAlert is the entry of an alert, by the system.
func LogOfAlert(a *LogAlert, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogRedAlert, At: at, Author: LogAuthor{Role: RoleSystem}, Alert: a}
}
