package main

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

func TestScheduleEveryFlag(t *testing.T) {
	tests := []struct {
		env     string
		args    []string
		want    time.Duration
		wantErr string
	}{
		{"", nil, 30 * time.Second, ""},
		{"5m", nil, 5 * time.Minute, ""},
		{"5m", []string{"--schedule-every", "10s"}, 10 * time.Second, ""},
		{"0", nil, 0, ""},
		{"soon", nil, 0, "HEALTHCODE_SCHEDULE_EVERY"},
		{"soon", []string{"--schedule-every", "1m"}, time.Minute, ""},
		{"", []string{"--schedule-every", "10ms"}, 0, "at least 1s"},
		{"", []string{"--schedule-every", "-1s"}, 0, "at least 1s"},
	}
	for _, tt := range tests {
		var s schedule
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(&bytes.Buffer{})
		s.bind(fs, func(name string) string {
			if name == "HEALTHCODE_SCHEDULE_EVERY" {
				return tt.env
			}
			return ""
		})
		err := fs.Parse(tt.args)
		if err == nil {
			err = s.validate()
		}
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("env %q, args %q: error %v, want one about %q", tt.env, tt.args, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || s.every != tt.want):
			t.Errorf("env %q, args %q: %v, %v; want %v", tt.env, tt.args, s.every, err, tt.want)
		}
	}
}

// TestServeRunsTheScheduler stores a person whose red code ran out a day
// ago behind the running server's back, and waits for the server's
// scheduler, not a reader, to turn it green. The person lives in Shaoxing
// (330602), whose shipped pack ends a declared contact's isolation after
// 14 days by time alone.
func TestServeRunsTheScheduler(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s := startServer(t, "--schedule-every", "1s")
		testServeRunsTheScheduler(t, s, func() (healthcode.Store, error) {
			return store.OpenSQLite(context.Background(), filepath.Join(s.data, "healthcode.db"))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		s := startServer(t, "--db", dsn, "--schedule-every", "1s")
		testServeRunsTheScheduler(t, s, func() (healthcode.Store, error) {
			return store.OpenPostgres(context.Background(), dsn)
		})
	})
}

// seedRule names the rule of the seeded red status: any name will do, the
// scheduler evaluates the facts afresh.
const seedRule = "seed/declared-contact"

func testServeRunsTheScheduler(t *testing.T, s *testServer, open func() (healthcode.Store, error)) {
	ctx := context.Background()
	store, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	declared := time.Now().UTC().Truncate(time.Microsecond).Add(-15 * 24 * time.Hour)
	var id int64
	err = store.Update(ctx, func(tx healthcode.Tx) error {
		a := &healthcode.Account{PhoneHash: []byte("h"), PhoneSealed: []byte("s"), CreatedAt: declared}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationSelf, DocType: healthcode.DocResidentID,
			IDHash: []byte("i"), IDSealed: []byte("i"), NameSealed: []byte("n"), PhoneHash: a.PhoneHash,
			PhoneSealed: a.PhoneSealed, Region: "330602", CodeID: []byte("c"), CreatedAt: declared, UpdatedAt: declared}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		id = p.ID
		f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: declared, RecordedAt: declared,
			Source: "citizen", Author: "account:1", Declaration: &healthcode.DeclarationFact{Region: "330602",
				Declaration: healthcode.Declaration{ContactCases: true, Commitment: true}}}
		if err := tx.AddFact(ctx, f); err != nil {
			return err
		}
		h := &healthcode.HistoryEntry{PersonID: p.ID, To: healthcode.Red, Rule: seedRule,
			FactIDs: []int64{f.ID}, Author: healthcode.AuthorSystem, At: declared}
		h.Seal(0, nil)
		if err := tx.AppendHistory(ctx, h); err != nil {
			return err
		}
		return tx.PutStatus(ctx, p.ID, &healthcode.Status{Color: healthcode.Red, Since: declared, Policy: "seed",
			Rule: seedRule, FactIDs: []int64{f.ID}, NextEvalAt: declared.Add(14 * 24 * time.Hour),
			EvaluatedAt: declared, HeadSeq: 1, HeadHash: h.Hash})
	})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p, err := store.Person(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status.Color == healthcode.Green {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %v 30 s after the scheduler was due to run; logs:\n%s", p.Status.Color, s.logs)
		}
	}
	hs, err := store.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[1].Author != healthcode.AuthorSystem || hs[1].To != healthcode.Green {
		t.Errorf("history = %+v, want red then green by the system", hs)
	}
	if !strings.Contains(s.logs.String(), `msg="scheduled re-evaluation" evaluated=1`) {
		t.Errorf("no scheduler run in the logs:\n%s", s.logs)
	}
}

func TestServeWithoutScheduler(t *testing.T) {
	s := startServer(t, "--schedule-every", "0")
	time.Sleep(200 * time.Millisecond) // a scheduler would have run at once
	logs := s.logs.String()
	if strings.Contains(logs, "scheduled re-evaluation") || !strings.Contains(logs, "schedule_every=0s") {
		t.Errorf("--schedule-every 0 should start no scheduler; logs:\n%s", logs)
	}
}
