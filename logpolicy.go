package healthcode

import "time"

// LogPolicySet records the policy packs a server applies, written at each
// start: a switched pack (another name, version or a single changed byte)
// is in the public log before any colour it decides.
const LogPolicySet LogKind = "policy-set"

// LogPolicy is the policy in force: the deployment's region and, per
// region, the pack with the SHA-256 of its file, so anyone holding the
// published pack files can tell which one decided.
type LogPolicy struct {
	Home  string    `json:"home"`
	Packs []LogPack `json:"packs"`
}

// LogPack is one pack in force; Region "" is the pack for every region no
// other names.
type LogPack struct {
	Region  string `json:"region,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// LogOfPolicy is the entry recording the policy in force from at.
func LogOfPolicy(p *LogPolicy, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogPolicySet, At: at, Author: LogAuthor{Role: RoleOperator}, Policy: p}
}
