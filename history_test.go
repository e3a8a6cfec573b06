package healthcode_test

import (
	"strings"
	"testing"
	"time"

	"healthcode"
)

func chain(n int) []healthcode.HistoryEntry {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var hs []healthcode.HistoryEntry
	for i := range n {
		e := healthcode.HistoryEntry{PersonID: 9, To: healthcode.Color(1 + i%3), Rule: "r", FactIDs: []int64{int64(i)},
			Author: healthcode.AuthorSystem, At: at.Add(time.Duration(i) * time.Hour)}
		var prevSeq int64
		var prevHash []byte
		if i > 0 {
			prev := &hs[i-1]
			e.From, prevSeq, prevHash = prev.To, prev.Seq, prev.Hash
		}
		e.Seal(prevSeq, prevHash)
		hs = append(hs, e)
	}
	return hs
}

func TestVerifyChainDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte)
		want   string // "" for a whole chain
	}{
		{"untouched", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			return hs, hs[len(hs)-1].Hash
		}, ""},
		{"colour rewritten", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			hs[1].To = healthcode.Green
			return hs, nil
		}, "contents do not match"},
		{"author rewritten", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			hs[2].Author = "account:1"
			return hs, nil
		}, "contents do not match"},
		{"entry deleted from the middle", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			return append(hs[:1:1], hs[2:]...), nil
		}, "sequence"},
		{"last entry deleted", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			head := hs[len(hs)-1].Hash
			return hs[:len(hs)-1], head
		}, "later head"},
		{"entry re-sealed after editing", func(hs []healthcode.HistoryEntry) ([]healthcode.HistoryEntry, []byte) {
			hs[1].Rule = "forged"
			hs[1].Hash = hs[1].ComputeHash()
			return hs, nil
		}, "previous hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, head := tt.tamper(chain(4))
			err := healthcode.VerifyChain(hs, head)
			if tt.want == "" && err != nil {
				t.Errorf("got %v, want a whole chain", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}
}
