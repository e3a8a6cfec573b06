package service_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/store"
	"healthcode/policy"
)

// testLogKey is a fresh key for the public log's heads.
func testLogKey(t *testing.T) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "healthcode-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, vkey
}

// logged sequences the public log and returns every entry, decoded, in
// leaf order, once Verify has checked the whole log against its head.
func logged(t *testing.T, e *testEnv) []*healthcode.LogEntry {
	t.Helper()
	ctx := context.Background()
	for {
		n, err := e.svc.SequenceLog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	tree, err := publiclog.Verify(ctx, e.store, e.svc.LogVerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.store.LogEntries(ctx, 0, int(tree.N))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*healthcode.LogEntry, len(recs))
	for i, r := range recs {
		if out[i], err = healthcode.DecodeLogEntry(r.Body); err != nil {
			t.Fatal(err)
		}
		if c := out[i].History; c != nil {
			// The server's view: what the store keeps beside the body.
			if c.Hash, c.Salt = r.HistoryHash, r.Salt; !c.Opens(c.Hash, c.Salt) {
				t.Fatalf("log entry %d: its commitment does not open with the hash and salt kept beside it", r.Leaf)
			}
		}
	}
	return out
}

// loggedHistory is the public log's entry of the history entry with
// hash h, nil when there is none.
func loggedHistory(t *testing.T, e *testEnv, h []byte) *healthcode.LogEntry {
	t.Helper()
	for _, le := range logged(t, e) {
		if le.Kind == healthcode.LogHistory && string(le.History.Hash) == string(h) {
			return le
		}
	}
	return nil
}

// Every history entry the flows write (throughTheFlows) is in the
// public log once, with its colours and rule, authored by the
// system; so is every key made and revoked, by the operator.
func TestEveryChangeAndKeyIsInThePublicLog(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		persons := throughTheFlows(t, e)
		_, gate, err := e.svc.CreateAPIKey(ctx, "gate 1", healthcode.RoleCheckpoint, "330106")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RevokeAPIKey(ctx, "gate 1"); err != nil {
			t.Fatal(err)
		}

		byHash := map[string]*healthcode.LogEntry{}
		keys := map[healthcode.LogKind][]int64{}
		var feedKeys, onFeedsWord []int64
		for _, le := range logged(t, e) {
			switch le.Kind {
			case healthcode.LogHistory:
				if byHash[string(le.History.Hash)] != nil {
					t.Errorf("history entry %x logged twice", le.History.Hash)
				}
				byHash[string(le.History.Hash)] = le
			case healthcode.LogKeyCreated, healthcode.LogKeyRevoked:
				if le.Author.Role != healthcode.RoleOperator || le.Author.Key != 0 {
					t.Errorf("%s of key %d by %+v, want the operator", le.Kind, le.Key.ID, le.Author)
				}
				keys[le.Kind] = append(keys[le.Kind], le.Key.ID)
				if le.Kind == healthcode.LogKeyCreated && le.Key.Role == healthcode.RoleFeed {
					feedKeys = append(feedKeys, le.Key.ID)
				}
			}
			if le.History != nil {
				onFeedsWord = append(onFeedsWord, le.History.FactKeys...)
			}
		}
		var histories int
		for _, id := range persons {
			for _, h := range storedHistory(t, e, id) {
				histories++
				le := byHash[string(h.Hash)]
				switch {
				case le == nil:
					t.Errorf("person %d: entry %d (%v → %v by %s) is not in the log", id, h.Seq, h.From, h.To, h.Rule)
				case le.History.From != h.From || le.History.To != h.To || le.Rule != h.Rule || !le.At.Equal(h.At) ||
					le.Author.Role != healthcode.RoleSystem:
					t.Errorf("person %d: entry %d logged as %+v / %+v", id, h.Seq, le, le.History)
				}
			}
		}
		if histories < 4 || len(byHash) != histories {
			t.Errorf("%d history entries, %d logged; want them all, more than 3", histories, len(byHash))
		}
		if len(feedKeys) != 1 || !slices.Contains(onFeedsWord, feedKeys[0]) {
			t.Errorf("changes name the keys %v behind their facts; want the lab feed's key %v among them", onFeedsWord, feedKeys)
		}
		if len(keys[healthcode.LogKeyCreated]) != 3 || len(keys[healthcode.LogKeyRevoked]) != 1 || keys[healthcode.LogKeyRevoked][0] != gate.ID {
			t.Errorf("keys logged %v; want the flows' checkpoint and feed keys and gate %d made, the gate revoked", keys, gate.ID)
		}
	}, withPolicy(mustShipped(t, "hubei-2020")))
}

// A venue code is not stored, so the public log is the one record that
// it was made, and by which admin key.
func TestAVenueMadeIsInThePublicLog(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		admin := adminKey(t, e)
		v, err := e.svc.CreateVenue(context.Background(), admin, "西湖景区3号门", "330106")
		if err != nil {
			t.Fatal(err)
		}
		var got []*healthcode.LogEntry
		for _, le := range logged(t, e) {
			if le.Kind == healthcode.LogVenueCreated {
				got = append(got, le)
			}
		}
		want := healthcode.LogVenue{ID: v.ID, Name: "西湖景区3号门", Region: "330106"}
		if len(got) != 1 || *got[0].Venue != want || got[0].Author != (healthcode.LogAuthor{Role: healthcode.RoleAdmin, Key: admin.KeyID}) {
			t.Fatalf("venue entries %+v; want one of %+v by admin key %d", got, want, admin.KeyID)
		}
	})
}

// A person's history carries each entry's inclusion in the public log's
// latest head, which the owner checks with tlog and the log's key alone;
// an entry no head covers yet has none, and the history says so.
func TestHistoryProvesEachEntryInThePublicLog(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		who, p := contactThenClear(t, e, "13900080002", "33010619850101008", "李晓东")
		logged(t, e)
		h, err := e.svc.History(ctx, who, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !h.InLog || len(h.Entries) != 2 {
			t.Fatalf("history in log %v with %d entries; want both entries in the log", h.InLog, len(h.Entries))
		}
		for _, entry := range h.Entries {
			if _, err := publiclog.CheckOwn([]byte(h.LogHead), e.svc.LogVerifierKey(), entry.Hash, entry.Log); err != nil {
				t.Errorf("entry %d: %v", entry.Seq, err)
			}
			if _, err := publiclog.CheckOwn([]byte(h.LogHead), e.svc.LogVerifierKey(), entry.Hash, otherSalt(entry.Log)); err == nil {
				t.Errorf("entry %d checks with a salt not its own", entry.Seq)
			}
		}

		in := modifyInput()
		in.Declaration.Fever = new(true)
		if _, err := e.svc.Modify(ctx, who, p.ID, in); err != nil {
			t.Fatal(err)
		}
		h, err = e.svc.History(ctx, who, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := h.Entries[len(h.Entries)-1]; h.InLog || last.Log != nil || h.Entries[0].Log == nil {
			t.Errorf("a change no head covers yet: in log %v, its proof %v; want it shown as not yet logged, the others still proved", h.InLog, last.Log)
		}
	})
}

// The attacks of issue 13 on the colour history itself: a row changed,
// a row changed with its hash recomputed, a row deleted. Each is named
// by VerifyHistory, on both stores.
func TestVerifyHistoryNamesTheRowTamperedWith(t *testing.T) {
	t.Parallel()
	attacks := []struct {
		name string
		sql  func(h healthcode.HistoryEntry, blob func([]byte) string) string
		want string
	}{
		{"a colour changed", func(h healthcode.HistoryEntry, _ func([]byte) string) string {
			return fmt.Sprintf(`UPDATE status_history SET to_color = %d WHERE id = %d`, healthcode.Green, h.ID)
		}, "does not match its own hash"},
		{"a colour changed, its hash recomputed", func(h healthcode.HistoryEntry, blob func([]byte) string) string {
			h.To = healthcode.Green
			return fmt.Sprintf(`UPDATE status_history SET to_color = %d, hash = %s WHERE id = %d`, healthcode.Green, blob(h.ComputeHash()), h.ID)
		}, "is not in the public log"},
		{"a colour changed, its hash recomputed there and beside its log entry", func(h healthcode.HistoryEntry, blob func([]byte) string) string {
			old := h.Hash
			h.To = healthcode.Green
			return fmt.Sprintf(`UPDATE status_history SET to_color = %d, hash = %s WHERE id = %d; `+
				`UPDATE log_entries SET history_hash = %[2]s WHERE history_hash = %[4]s`,
				healthcode.Green, blob(h.ComputeHash()), h.ID, blob(old))
		}, "do not open its commitment"},
		{"a row deleted", func(h healthcode.HistoryEntry, _ func([]byte) string) string {
			return fmt.Sprintf(`DELETE FROM status_history WHERE id = %d`, h.ID)
		}, "the database no longer holds"},
	}
	for _, a := range attacks {
		onEachStore(t, func(t *testing.T, e *testEnv) {
			ctx := context.Background()
			persons := throughTheFlows(t, e)
			logged(t, e)
			tree, err := publiclog.Verify(ctx, e.store, e.svc.LogVerifierKey())
			if err != nil {
				t.Fatal(err)
			}
			if err := publiclog.VerifyHistory(ctx, e.store, tree); err != nil {
				t.Fatalf("untouched: %v", err)
			}
			drop, blob := `DROP TRIGGER status_history_no_change ON status_history; DROP TRIGGER log_entries_no_change ON log_entries`,
				func(b []byte) string { return fmt.Sprintf(`'\x%x'::bytea`, b) }
			if e.dbPath != "" {
				drop, blob = `DROP TRIGGER status_history_no_update; DROP TRIGGER status_history_no_delete; DROP TRIGGER log_entries_no_update`,
					func(b []byte) string { return fmt.Sprintf(`X'%x'`, b) }
			}
			victim := storedHistory(t, e, persons[0])[1]
			err = e.store.Update(ctx, func(tx healthcode.Tx) error {
				for _, stmt := range append(strings.Split(drop, "; "), strings.Split(a.sql(victim, blob), "; ")...) {
					if err := store.Exec(ctx, tx, stmt); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := publiclog.VerifyHistory(ctx, e.store, tree); err == nil || !strings.Contains(err.Error(), a.want) {
				t.Errorf("%s: VerifyHistory = %v, want %q", a.name, err, a.want)
			}
		}, withPolicy(mustShipped(t, "hubei-2020")))
	}
}

func mustShipped(t *testing.T, name string) policy.Policy {
	t.Helper()
	p, err := policy.LoadShipped(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// otherSalt is inc with a salt of zeros.
func otherSalt(inc *publiclog.Inclusion) *publiclog.Inclusion {
	c := *inc
	c.Salt = make([]byte, healthcode.SaltSize)
	return &c
}
