package healthcode

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLogEntryEncodingIsFixed(t *testing.T) {
	h := &HistoryEntry{PersonID: 7, From: Green, To: Red, Rule: "lab/positive", FactIDs: []int64{3, 4},
		At: time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))}
	h.Seal(0, nil)
	facts := []Fact{{ID: 3, Author: "key:12"}, {ID: 4, Author: "account:5"}, {ID: 9, Author: "key:13"}}
	le := LogOfHistory(h, LogAuthor{Role: RoleSystem}, facts)
	b, err := le.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"kind":"history","at":"2026-03-01T00:00:00.123456Z","author":{"role":"system"},"rule":"lab/positive",` +
		`"history":{"from":"green","to":"red","fact_keys":[12],"commitment":"`
	if !strings.HasPrefix(string(b), want) || strings.ContainsAny(string(b), " \n") {
		t.Errorf("encoding\n%s\nwant it to begin\n%s", b, want)
	}
	if strings.Contains(string(b), base64.StdEncoding.EncodeToString(h.Hash)) ||
		strings.Contains(string(b), base64.StdEncoding.EncodeToString(le.History.Salt)) {
		t.Errorf("encoding %s publishes the history hash or the salt", b)
	}
	e, err := DecodeLogEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	if !e.History.Opens(h.Hash, le.History.Salt) || e.History.Opens(h.Hash, make([]byte, SaltSize)) {
		t.Error("the decoded commitment opens with the wrong salt, or not with its own")
	}
	again, _ := e.Encode()
	if string(again) != string(b) {
		t.Errorf("decoded and encoded again:\n%s\nwant the same bytes\n%s", again, b)
	}
}

func TestAuthorKeyReadsWhatAuthorWrites(t *testing.T) {
	tests := []struct {
		author string
		want   int64
		ok     bool
	}{
		{(&Principal{KeyID: 42}).Author(), 42, true},
		{(&Principal{AccountID: 42}).Author(), 0, false},
		{AuthorSystem, 0, false},
		{"key:x", 0, false},
		{"key:0", 0, false},
	}
	for _, tt := range tests {
		if got, ok := AuthorKey(tt.author); got != tt.want || ok != tt.ok {
			t.Errorf("AuthorKey(%q) = %d, %v; want %d, %v", tt.author, got, ok, tt.want, tt.ok)
		}
	}
	facts := []Fact{{ID: 3, Author: "key:9"}, {ID: 1, Author: "key:9"}, {ID: 2, Author: "key:8"}, {ID: 4, Author: "official:5"}}
	if got := factAuthors([]int64{1, 2, 3, 4}, facts, AuthorKey); !slices.Equal(got, []int64{9, 8}) {
		t.Errorf("fact keys = %v, want each key once, in the order of the facts named", got)
	}
	if got := factAuthors([]int64{1, 4}, facts, AuthorOfficial); !slices.Equal(got, []int64{5}) {
		t.Errorf("fact officials = %v, want the official alone", got)
	}
}

func TestAuthorOfficialReadsWhatAuthorWrites(t *testing.T) {
	tests := []struct {
		author string
		want   int64
		ok     bool
	}{
		{(&Principal{Role: RoleDistrict, OfficialID: 7}).Author(), 7, true},
		{(&Principal{KeyID: 7}).Author(), 0, false},
		{"official:0", 0, false},
		{"official:x", 0, false},
	}
	for _, tt := range tests {
		if got, ok := AuthorOfficial(tt.author); got != tt.want || ok != tt.ok {
			t.Errorf("AuthorOfficial(%q) = %d, %v; want %d, %v", tt.author, got, ok, tt.want, tt.ok)
		}
	}
}
