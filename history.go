package healthcode

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Authors of colour changes that no person made.
const AuthorSystem = "system"

// HistoryEntry records one change of a person's colour. Entries are only
// ever appended: each holds the hash of the person's previous entry, so
// editing or deleting one breaks the chain (VerifyChain).
type HistoryEntry struct {
	ID       int64     `json:"-"`
	PersonID int64     `json:"-"`
	Seq      int64     `json:"seq"` // 1 for the first entry of a person
	From     Color     `json:"from"`
	To       Color     `json:"to"`
	Rule     string    `json:"rule"`
	FactIDs  []int64   `json:"fact_ids"`
	Author   string    `json:"author"`
	At       time.Time `json:"at"`
	PrevHash []byte    `json:"prev_hash"`
	Hash     []byte    `json:"hash"`
}

// Validate reports an entry that cannot be recorded: every colour change
// names the facts it came from (SPEC E2: traceable to its data), so an
// entry naming none is EINVALID. Stores refuse such entries.
func (h *HistoryEntry) Validate() error {
	if len(h.FactIDs) == 0 {
		return Errorf(EINVALID, "History entry %d of person %d (%v → %v by %s) names no facts.", h.Seq, h.PersonID, h.From, h.To, h.Rule)
	}
	return nil
}

// ComputeHash returns the SHA-256 of the entry's canonical encoding,
// including PrevHash. Times count in microseconds, the precision both
// stores keep.
func (h *HistoryEntry) ComputeHash() []byte {
	var b bytes.Buffer
	num := func(v int64) { _ = binary.Write(&b, binary.BigEndian, v) }
	str := func(s string) { num(int64(len(s))); b.WriteString(s) }
	b.WriteString("healthcode-history-v1")
	num(h.PersonID)
	num(h.Seq)
	num(int64(h.From))
	num(int64(h.To))
	str(h.Rule)
	num(int64(len(h.FactIDs)))
	for _, id := range h.FactIDs {
		num(id)
	}
	str(h.Author)
	num(h.At.UnixMicro())
	str(string(h.PrevHash))
	sum := sha256.Sum256(b.Bytes())
	return sum[:]
}

// Seal sets Seq, PrevHash and Hash so that h follows the entry numbered
// prevSeq with hash prevHash (0 and nil for a person's first entry). The
// person's status keeps both (Status.HeadSeq, HeadHash), so sealing needs
// no read of the history itself.
func (h *HistoryEntry) Seal(prevSeq int64, prevHash []byte) {
	h.Seq, h.PrevHash = prevSeq+1, nil
	if prevSeq > 0 {
		h.PrevHash = prevHash
	}
	h.Hash = h.ComputeHash()
}

// VerifyChain checks that entries, oldest first, form an unbroken chain
// whose last hash is head (nil head: not checked).
func VerifyChain(entries []HistoryEntry, head []byte) error {
	var prev []byte
	for i := range entries {
		e := &entries[i]
		if e.Seq != int64(i+1) {
			return fmt.Errorf("history entry %d: sequence %d, want %d", i, e.Seq, i+1)
		}
		if !bytes.Equal(e.PrevHash, prev) {
			return fmt.Errorf("history entry %d: previous hash does not match", e.Seq)
		}
		if !bytes.Equal(e.ComputeHash(), e.Hash) {
			return fmt.Errorf("history entry %d: contents do not match its hash", e.Seq)
		}
		prev = e.Hash
	}
	if head != nil && !bytes.Equal(prev, head) {
		return fmt.Errorf("history ends at entry %d but the status names a later head", len(entries))
	}
	return nil
}
