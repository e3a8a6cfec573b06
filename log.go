package healthcode

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// LogKind names what a public log entry records.
type LogKind string

// The kinds of public log entries (docs/log.md).
const (
	// LogHistory is a person's history entry: a colour change, or an
	// identity taken back from a wrong claim (rule identity/claim-ended).
	LogHistory    LogKind = "history"
	LogKeyCreated LogKind = "key-created"
	LogKeyRevoked LogKind = "key-revoked"
	// LogVenueCreated is a venue code made. Codes are not stored (they
	// carry their own MAC), so the log is the one record of them.
	LogVenueCreated LogKind = "venue-created"
	// Officials' accounts appointed and disabled, and a person's identity
	// seen in clear by an official (docs/officials.md).
	LogOfficialCreated  LogKind = "official-created"
	LogOfficialDisabled LogKind = "official-disabled"
	LogPersonUnmasked   LogKind = "person-unmasked"
	// LogWorkflowStep is a step an official or a citizen took in a
	// workflow (appeal, release, error correction).
	LogWorkflowStep LogKind = "workflow-step"
)

// LogFormat is the version of the entries' encoding, their first field.
const LogFormat = 1

// LogEntry is one entry of the public log: who did what, under which
// rule, when. It names its author by role and key id only, and a person
// not at all: a history entry carries a salted commitment to the person's
// history entry (HistoryCommitment), which the person, shown their history
// and its salt, can open, and nobody else can link to anyone. Encode gives its canonical
// bytes, which are the Merkle tree's leaf.
type LogEntry struct {
	Format  int         `json:"v"`
	Kind    LogKind     `json:"kind"`
	At      time.Time   `json:"at"`
	Author  LogAuthor   `json:"author"`
	Rule    string      `json:"rule,omitempty"`
	History *LogChange  `json:"history,omitempty"`
	Key     *LogKeyFact `json:"key,omitempty"`
	Venue   *LogVenue   `json:"venue,omitempty"`
	Policy  *LogPolicy  `json:"policy,omitempty"`
	Alert   *LogAlert   `json:"alert,omitempty"`
	// Official is the account of an official-created or
	// official-disabled entry; Unmasking says why a person-unmasked
	// entry's author looked.
	Official  *LogOfficialFact `json:"official,omitempty"`
	Unmasking *LogUnmasking    `json:"unmasking,omitempty"`
	Release   *LogRelease      `json:"release,omitempty"`
	Finding   *LogFinding      `json:"finding,omitempty"`
	Step      *LogStep         `json:"step,omitempty"`
	Pass      *LogPass         `json:"pass,omitempty"`
	Lookup    *LogLookup       `json:"lookup,omitempty"`
}

// LogAuthor is who made a logged change: a role, and the API key's id
// when a key acted. Citizens, the operator at the command line and the
// system's own policy decisions have no key.
type LogAuthor struct {
	Role     Role  `json:"role"`
	Key      int64 `json:"key,omitempty"`
	Official int64 `json:"official,omitempty"` // an official's account id, never a name
}

// RoleSystem authors what the policy decided by itself. It is no
// principal's role: nobody acts as the system.
const RoleSystem Role = "system"

// LogAuthorOf names a principal as the log does.
func LogAuthorOf(p *Principal) LogAuthor {
	if p == nil {
		return LogAuthor{Role: "anonymous"}
	}
	return LogAuthor{Role: p.Role, Key: p.KeyID, Official: p.OfficialID}
}

// LogChange is a history entry as the public log shows it: colours and
// whose word, and a commitment to the history entry that only its owner,
// who is given the salt, can open. It names no fact: fact ids shared by
// entries would link them to one person (docs/log.md).
type LogChange struct {
	From Color `json:"from,omitzero"` // absent for a first status
	To   Color `json:"to"`
	// FactKeys are the API keys that sent the facts the change came from
	// (feeds, checkpoints), each once, in order: a policy decides, but on
	// whose word is what a report by author counts.
	FactKeys []int64 `json:"fact_keys,omitempty"`
	// FactOfficials are the officials whose facts the change came from
	// (a release list, a finding), by account id, each once: an
	// official's word that turns people red is counted as a key's is.
	FactOfficials []int64 `json:"fact_officials,omitempty"`
	// Commitment is HistoryCommitment(Hash, Salt).
	Commitment []byte `json:"commitment"`
	// Hash is the history entry's own hash (HistoryEntry.Hash) and Salt
	// the random key of the commitment. Neither is published: the store
	// keeps them beside the entry, for the owner's history and for
	// checking the history against the log.
	Hash []byte `json:"-"`
	Salt []byte `json:"-"`
	// HistoryID is the history entry's row (HistoryEntry.ID), by which
	// the store finds a person's entries in the log; not published either.
	HistoryID int64 `json:"-"`
}

// SaltSize is the length of a commitment's salt: as long as the hash, so
// the salt, not the few person ids a first entry could name, is what an
// outsider would have to guess.
const SaltSize = 32

// HistoryCommitment is what the public log publishes of a history entry:
// HMAC-SHA256 keyed by the salt over the entry's hash. A history hash
// alone can be recomputed by trying every person id against a first
// entry's published fields, and then follows the chain; without the salt
// the commitment says nothing, and every entry's salt is its own, so two
// commitments never link.
func HistoryCommitment(historyHash, salt []byte) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write(historyHash)
	return m.Sum(nil)
}

// Opens reports whether the change commits to the history entry of that
// hash under salt: the owner's check, and the server's.
func (c *LogChange) Opens(historyHash, salt []byte) bool {
	return len(salt) == SaltSize && hmac.Equal(c.Commitment, HistoryCommitment(historyHash, salt))
}

// LogKeyFact is an API key as the log shows it: never its name (which
// may name a person) nor its secret.
type LogKeyFact struct {
	ID        int64     `json:"id"`
	Role      Role      `json:"role"`
	Region    string    `json:"region"`
	Kinds     []string  `json:"kinds,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// LogVenue is a venue as the log shows it: what its printed code says.
type LogVenue struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

// LogStep is a workflow step as the log shows it: the workflow's kind and
// random reference (Workflow.LogRef, linking a workflow's steps to each
// other), the step's number and action, and the colour it proposes or
// applies. No person, division, note or form: a step names nobody.
type LogStep struct {
	Workflow WorkflowKind `json:"workflow"`
	Ref      []byte       `json:"ref"`
	Seq      int          `json:"seq"`
	Action   string       `json:"action"`
	Colour   Color        `json:"colour,omitempty"`
}

// LogOfStep is the log entry of a workflow step.
func LogOfStep(w *Workflow, s *WorkflowStep, by LogAuthor) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogWorkflowStep, At: s.At, Author: by,
		Step: &LogStep{Workflow: w.Kind, Ref: w.LogRef, Seq: s.Seq, Action: s.Action, Colour: s.Colour}}
}

// LogOfVenue is the log entry of a venue code made at at.
func LogOfVenue(id, name, region string, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogVenueCreated, At: at, Author: by,
		Venue: &LogVenue{ID: id, Name: name, Region: region}}
}

// LogOfHistory is the log entry of a sealed history entry, by author,
// naming the keys that sent its facts among facts (the person's).
// Its commitment is keyed by a fresh random salt.
func LogOfHistory(h *HistoryEntry, by LogAuthor, facts []Fact) *LogEntry {
	salt := make([]byte, SaltSize)
	rand.Read(salt) // never fails: crypto/rand aborts the program instead
	return &LogEntry{Format: LogFormat, Kind: LogHistory, At: h.At, Author: by, Rule: h.Rule,
		History: &LogChange{From: h.From, To: h.To, FactKeys: factAuthors(h.FactIDs, facts, AuthorKey),
			FactOfficials: factAuthors(h.FactIDs, facts, AuthorOfficial),
			Commitment:    HistoryCommitment(h.Hash, salt), Hash: h.Hash, Salt: salt, HistoryID: h.ID}}
}

// factAuthors lists the authors of the facts of ids that id finds (API
// keys, officials), each once, in the order of ids.
func factAuthors(ids []int64, facts []Fact, id func(string) (int64, bool)) []int64 {
	var out []int64
	for _, fid := range ids {
		for i := range facts {
			if facts[i].ID != fid {
				continue
			}
			if k, ok := id(facts[i].Author); ok && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// LogOfKey is the log entry of a key created (LogKeyCreated) or revoked
// (LogKeyRevoked) at at.
func LogOfKey(kind LogKind, k *APIKey, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: kind, At: at, Author: by,
		Key: &LogKeyFact{ID: k.ID, Role: k.Role, Region: k.Region, Kinds: k.Kinds, ExpiresAt: k.ExpiresAt}}
}

// LogOfficialFact is an official's account as the log shows it: its id,
// role and scope, never its login, which may name the person.
type LogOfficialFact struct {
	ID    int64  `json:"id"`
	Role  Role   `json:"role"`
	Scope string `json:"scope"`
}

// LogOfOfficial is the log entry of an official's account appointed
// (LogOfficialCreated) or disabled (LogOfficialDisabled) at at.
func LogOfOfficial(kind LogKind, o *Official, by LogAuthor, at time.Time) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: kind, At: at, Author: by,
		Official: &LogOfficialFact{ID: o.ID, Role: o.Role, Scope: o.Scope}}
}

// LogUnmasking is an unmasking as the log shows it: its category only.
// Neither the person nor the reason is published: either could tell who
// was looked at.
type LogUnmasking struct {
	Category string `json:"category"`
}

// LogOfUnmasking is the log entry of an official seeing a person's
// identity in clear.
func LogOfUnmasking(u *Unmasking, by LogAuthor) *LogEntry {
	return &LogEntry{Format: LogFormat, Kind: LogPersonUnmasked, At: u.At, Author: by,
		Unmasking: &LogUnmasking{Category: u.Category}}
}

// Encode returns the entry's canonical bytes: JSON on one line, fields in
// the order of the struct, no space, times in UTC to the microsecond
// (the stores' precision), byte strings in standard base64, no trailing
// newline. The bytes are kept as they were written, so a reader never
// needs to encode again to check a leaf; the order is fixed so that
// anyone re-encoding a parsed entry gets the same bytes.
func (e *LogEntry) Encode() ([]byte, error) {
	c := *e
	c.At = c.At.UTC().Truncate(time.Microsecond)
	if c.Key != nil {
		k := *c.Key
		if !k.ExpiresAt.IsZero() {
			k.ExpiresAt = k.ExpiresAt.UTC().Truncate(time.Microsecond)
		}
		c.Key = &k
	}
	if c.Alert != nil {
		a := *c.Alert
		a.From, a.To = a.From.UTC().Truncate(time.Microsecond), a.To.UTC().Truncate(time.Microsecond)
		c.Alert = &a
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode log entry: %w", err)
	}
	if len(b) > MaxLogEntry {
		return nil, fmt.Errorf("encode log entry: %d bytes, over the %d an entry bundle can hold", len(b), MaxLogEntry)
	}
	return b, nil
}

// MaxLogEntry bounds an entry's bytes: C2SP tlog-tiles' entry bundles
// give each entry a 16-bit length.
const MaxLogEntry = 1<<16 - 1

// DecodeLogEntry parses an entry's bytes. Errors: EINVALID for bytes that
// are not an entry of a known format.
func DecodeLogEntry(b []byte) (*LogEntry, error) {
	var e LogEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, Errorf(EINVALID, "Not a log entry: %v.", err)
	}
	if e.Format != LogFormat {
		return nil, Errorf(EINVALID, "Log entry of format %d; this version reads %d.", e.Format, LogFormat)
	}
	return &e, nil
}

// LogRecord is a stored log entry: its canonical bytes and, once the
// sequencer has placed it, its leaf number (-1 before).
type LogRecord struct {
	ID   int64
	Leaf int64
	Body []byte
	// HistoryHash and Salt open a history entry's commitment (LogChange):
	// the server's own, never served with the body.
	HistoryHash []byte `json:"-"`
	Salt        []byte `json:"-"`
}

// LogHead is a signed tree head: the tree's size and root hash, and the
// signed note (golang.org/x/mod/sumdb/note) that publishes them.
type LogHead struct {
	Size     int64
	Hash     []byte
	Note     []byte
	SignedAt time.Time
	// Through is the sequencer's mark, not signed nor published: every
	// entry whose id is at most Through has its leaf.
	Through int64
}

// LogHash is one of the Merkle tree's stored hashes, at its storage index
// (golang.org/x/mod/sumdb/tlog.StoredHashIndex).
type LogHash struct {
	Index int64
	Hash  []byte
}

// LogBatch is what one round of the sequencer stores: leaves given to
// pending entries (ID and Leaf of each), the tree's new stored hashes,
// and the head signed over the tree that includes them.
type LogBatch struct {
	Leaves []LogRecord
	Hashes []LogHash
	Head   LogHead
}
