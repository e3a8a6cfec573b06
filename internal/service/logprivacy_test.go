package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"healthcode"
)

// published is a colour change as an outsider reads it, with what the
// first public log (migration 0009 as merged) also published: the fact
// ids and the raw history hash.
type published struct {
	entry   *healthcode.LogEntry
	body    []byte
	facts   []int64
	rawHash []byte
}

// chain is what the attacker has learnt of a person: the last entry
// linked to them.
type chain struct {
	seq  int64
	hash []byte
}

// bruteForce is the attack on a history entry's hash: a first entry has
// no previous hash, so trying every small person id against its other
// fields finds whose it is, and each entry found gives the previous hash
// of the next. matches says whether a guessed history hash is what an
// entry publishes. It returns the person found for each entry.
func bruteForce(entries []published, maxPerson int64, matches func(published, []byte) bool) map[int]int64 {
	chains := map[int64]chain{}
	found := map[int]int64{}
	for i, p := range entries {
		for id := int64(1); id <= maxPerson; id++ {
			c := chains[id]
			h := healthcode.HistoryEntry{PersonID: id, From: p.entry.History.From, To: p.entry.History.To,
				Rule: p.entry.Rule, FactIDs: p.facts, Author: healthcode.AuthorSystem, At: p.entry.At}
			h.Seal(c.seq, c.hash)
			if matches(p, h.Hash) {
				found[i], chains[id] = id, chain{h.Seq, h.Hash}
				break
			}
		}
	}
	return found
}

// The public log lets nobody link a colour change to a person or to
// another change. The attack that worked on the first log — brute-force
// the person id of a first entry, follow the chain, match shared fact
// ids — finds every system-made change of the flows' persons against
// what that log published, and nothing against what it publishes now,
// even given the true fact ids.
func TestThePublicLogLinksNoChangeToAPerson(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		persons := throughTheFlows(t, e)
		logged(t, e) // sequenced
		head, err := e.svc.LogHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byHash := map[string]healthcode.HistoryEntry{}
		var want int
		for _, id := range persons {
			for _, h := range storedHistory(t, e, id) {
				byHash[string(h.Hash)] = h
				if h.Author == healthcode.AuthorSystem {
					want++
				}
			}
		}
		var entries []published
		for i := range head.Size {
			rec, _, err := e.svc.LogEntry(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			if rec.HistoryHash != nil || rec.Salt != nil {
				t.Fatalf("the public entry %d carries its history hash or salt", i)
			}
			le, err := healthcode.DecodeLogEntry(rec.Body)
			if err != nil || le.History == nil {
				continue
			}
			noFacts(t, rec.Body)
			// What 0009 published beside it, from the server's own
			// record: the one history entry whose hash opens it.
			p := published{entry: le, body: rec.Body}
			for _, h := range byHash {
				if le.History.Opens(h.Hash, saltOf(t, e, h.ID)) {
					p.facts, p.rawHash = h.FactIDs, h.Hash
				}
			}
			entries = append(entries, p)
		}
		maxPerson := slices.Max(persons) + 100

		before := bruteForce(entries, maxPerson, func(p published, h []byte) bool { return bytes.Equal(h, p.rawHash) })
		if want < 3 || len(before) != want || !everyFoundRight(entries, before, byHash) {
			t.Fatalf("against the first log's bytes the attack linked %d changes; want all %d system changes, each to its person", len(before), want)
		}
		after := bruteForce(entries, maxPerson, func(p published, h []byte) bool {
			return bytes.Equal(h, p.entry.History.Commitment) ||
				bytes.Contains(p.body, []byte(base64.StdEncoding.EncodeToString(h)))
		})
		if len(after) != 0 {
			t.Errorf("against the public log the attack linked %v; want nothing", after)
		}
		commitments := map[string]bool{}
		for _, p := range entries {
			if commitments[string(p.entry.History.Commitment)] {
				t.Errorf("two changes publish one commitment: they link")
			}
			commitments[string(p.entry.History.Commitment)] = true
		}
	}, withPolicy(mustShipped(t, "hubei-2020")))
}

// noFacts fails unless a change's public bytes name, besides its colours
// and the keys behind its facts, only its commitment: fact ids shared by
// two changes would show they are one person's.
func noFacts(t *testing.T, body []byte) {
	t.Helper()
	var e struct{ History map[string]json.RawMessage }
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	for k := range maps.Keys(e.History) {
		if !slices.Contains([]string{"from", "to", "fact_keys", "fact_officials", "commitment"}, k) {
			t.Errorf("a public change names %q: %s", k, body)
		}
	}
}

// saltOf is the salt the store keeps for the history entry of row id.
func saltOf(t *testing.T, e *testEnv, id int64) []byte {
	t.Helper()
	leaves, err := e.store.LogLeaves(context.Background(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	return leaves[id].Salt
}

// everyFoundRight reports whether each entry found names the person whose
// history entry it is.
func everyFoundRight(entries []published, found map[int]int64, byHash map[string]healthcode.HistoryEntry) bool {
	for i, id := range found {
		if byHash[string(entries[i].rawHash)].PersonID != id {
			return false
		}
	}
	return true
}
