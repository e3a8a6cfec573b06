package publiclog_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// backend is a store the log is tested on, and how to drop the triggers
// that keep its entries append-only, as an attacker with the database
// would.
type backend struct {
	name         string
	open         func(t *testing.T) *store.DB
	dropTriggers string
}

var backends = []backend{
	{"SQLite", func(t *testing.T) *store.DB {
		return opened(t, func() (*store.DB, error) {
			return store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "healthcode.db"))
		})
	}, `DROP TRIGGER log_entries_no_update; DROP TRIGGER log_entries_no_delete`},
	{"PostgreSQL", func(t *testing.T) *store.DB {
		dsn := pgtest.NewDatabase(t)
		return opened(t, func() (*store.DB, error) { return store.OpenPostgres(context.Background(), dsn) })
	}, `DROP TRIGGER log_entries_no_change ON log_entries`},
}

func opened(t *testing.T, open func() (*store.DB, error)) *store.DB {
	t.Helper()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newLog returns a log on db signing with a fresh key, and its verifier key.
func newLog(t *testing.T, db *store.DB) (*publiclog.Log, string) {
	t.Helper()
	return newLogIn(t, db, filepath.Join(t.TempDir(), "keys"))
}

// newLogIn is newLog with the key of the keys directory dir.
func newLogIn(t *testing.T, db *store.DB, dir string) (*publiclog.Log, string) {
	t.Helper()
	signer, vkey, err := publiclog.LoadOrCreateKey(dir, "healthcode-test")
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	return publiclog.New(db, signer, vkey, clock, slog.New(slog.NewTextHandler(io.Discard, nil))), vkey
}

// entry is a colour change numbered i, distinct from every other.
func entry(i int) *healthcode.LogEntry {
	h := &healthcode.HistoryEntry{PersonID: int64(i), From: healthcode.Green, To: healthcode.Yellow, Rule: "test/fever",
		FactIDs: []int64{int64(i)}, Author: healthcode.AuthorSystem, At: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	h.Seal(0, nil)
	return healthcode.LogOfHistory(h, healthcode.LogAuthor{Role: healthcode.RoleSystem}, nil)
}

// appendEntries writes entries from..to-1, each in its own transaction,
// from workers goroutines at once.
func appendEntries(t *testing.T, db *store.DB, from, to, workers int) {
	t.Helper()
	ctx := context.Background()
	next := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := db.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, entry(i)) }); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// drain sequences until the head holds want entries and returns it. A
// round may find the log held by another sequencer (on PostgreSQL, one
// whose connection was cut is let go of a moment later), so it tries again.
func drain(t *testing.T, l *publiclog.Log, want int64) *healthcode.LogHead {
	t.Helper()
	ctx := context.Background()
	for range 10000 {
		if _, err := l.SequenceLog(ctx); err != nil {
			t.Fatal(err)
		}
		head, err := l.LogHead(ctx)
		if err == nil && head.Size >= want {
			return head
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the log never reached %d entries", want)
	return nil
}

// checkEveryEntryOnce checks that leaves 0..n-1 hold the n entries
// written, each once.
func checkEveryEntryOnce(t *testing.T, db *store.DB, n int) {
	t.Helper()
	recs, err := db.LogEntries(context.Background(), 0, n+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d entries sequenced, want %d", len(recs), n)
	}
	seen := map[string]bool{}
	for i, r := range recs {
		if r.Leaf != int64(i) {
			t.Fatalf("entry %d has leaf %d: a gap or a repeat", i, r.Leaf)
		}
		if seen[string(r.HistoryHash)] {
			t.Fatalf("leaf %d repeats an entry", i)
		}
		seen[string(r.HistoryHash)] = true
	}
	for i := range n {
		// Each entry's salt is new, so an entry is known by the history
		// hash kept beside it.
		if !seen[string(entry(i).History.Hash)] {
			t.Fatalf("entry %d was never sequenced", i)
		}
	}
}

func TestProofsCheckWithTheLibrary(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := be.open(t)
			l, vkey := newLog(t, db)
			var heads []tlog.Tree
			for _, upTo := range []int{1, 2, 7, 8, 20, 33} {
				appendEntries(t, db, sizeOf(heads), upTo, 4)
				head := drain(t, l, int64(upTo))
				tree, err := publiclog.OpenHead(head.Note, vkey)
				if err != nil {
					t.Fatal(err)
				}
				if tree.N != int64(upTo) || tree.Hash != tlog.Hash(head.Hash) {
					t.Fatalf("head signs %d/%v, want size %d and the stored hash", tree.N, tree.Hash, upTo)
				}
				heads = append(heads, tree)
			}
			checkEveryEntryOnce(t, db, 33)
			for _, tree := range heads {
				for i := range tree.N {
					rec, leafHash, err := l.LogEntry(ctx, i)
					if err != nil {
						t.Fatal(err)
					}
					if leafHash != tlog.RecordHash(rec.Body) {
						t.Fatalf("entry %d: leaf hash is not the record hash of its bytes", i)
					}
					p, err := l.LogInclusion(ctx, i, tree.N)
					if err != nil {
						t.Fatal(err)
					}
					if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, leafHash); err != nil {
						t.Errorf("entry %d in tree %d: %v", i, tree.N, err)
					}
				}
			}
			for a, old := range heads {
				for _, cur := range heads[a:] {
					p, err := l.LogConsistency(ctx, old.N, cur.N)
					if err != nil {
						t.Fatal(err)
					}
					if err := tlog.CheckTree(p, cur.N, cur.Hash, old.N, old.Hash); err != nil {
						t.Errorf("tree %d → %d: %v", old.N, cur.N, err)
					}
				}
			}
			if _, err := publiclog.Verify(ctx, db, vkey); err != nil {
				t.Errorf("Verify of an untouched log: %v", err)
			}
		})
	}
}

func sizeOf(heads []tlog.Tree) int {
	if len(heads) == 0 {
		return 0
	}
	return int(heads[len(heads)-1].N)
}

func TestProofsRefuseSizesNoHeadSigned(t *testing.T) {
	ctx := context.Background()
	db := backends[0].open(t)
	l, _ := newLog(t, db)
	appendEntries(t, db, 0, 3, 1)
	drain(t, l, 3)
	tests := []struct {
		name string
		err  error
	}{
		{"inclusion beyond the head", func() error { _, err := l.LogInclusion(ctx, 0, 4); return err }()},
		{"inclusion of a leaf outside the tree", func() error { _, err := l.LogInclusion(ctx, 3, 3); return err }()},
		{"consistency from 0", func() error { _, err := l.LogConsistency(ctx, 0, 3); return err }()},
		{"consistency backwards", func() error { _, err := l.LogConsistency(ctx, 3, 2); return err }()},
		{"entry not yet in the log", func() error { _, _, err := l.LogEntry(ctx, 3); return err }()},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestSequencerPlacesParallelWritersWithoutGaps(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db := be.open(t)
			l, vkey := newLog(t, db)
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			// Two sequencers, as two servers would run: on PostgreSQL the
			// advisory lock keeps one at a time.
			for range 2 {
				wg.Go(func() { l.RunSequencer(ctx, time.Millisecond) })
			}
			appendEntries(t, db, 0, 200, 8)
			stop()
			wg.Wait()
			head := drain(t, l, 200)
			if head.Size != 200 {
				t.Fatalf("head of size %d, want 200", head.Size)
			}
			checkEveryEntryOnce(t, db, 200)
			if _, err := publiclog.Verify(context.Background(), db, vkey); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVerifyNamesTheEntryTamperedWith(t *testing.T) {
	forged, _ := entry(999).Encode()
	attacks := []struct {
		name string
		sql  func(dialect string) string
		want string
	}{
		{"rewritten", func(d string) string {
			return fmt.Sprintf(`UPDATE log_entries SET body = %s WHERE id = (SELECT entry FROM log_leaves WHERE leaf = 7)`, literal(d, forged))
		}, "log entry 7 does not match the signed head"},
		{"deleted", func(string) string {
			return `DELETE FROM log_entries WHERE id = (SELECT entry FROM log_leaves WHERE leaf = 5)`
		}, "log entry 5 is missing"},
	}
	for _, be := range backends {
		for _, a := range attacks {
			t.Run(be.name+"/"+a.name, func(t *testing.T) {
				ctx := context.Background()
				db := be.open(t)
				l, vkey := newLog(t, db)
				appendEntries(t, db, 0, 20, 1)
				drain(t, l, 20)
				err := db.Update(ctx, func(tx healthcode.Tx) error {
					for _, stmt := range append(strings.Split(be.dropTriggers, "; "), a.sql(be.name)) {
						if err := store.Exec(ctx, tx, stmt); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := publiclog.Verify(ctx, db, vkey); err == nil || !strings.Contains(err.Error(), a.want) {
					t.Fatalf("Verify = %v, want %q", err, a.want)
				}
			})
		}
	}
}

// The attack of issue 13, on the log: someone who can write the database
// and holds the log's key rewrites entry 7 and builds the whole tree
// again, heads and all. The rewritten log checks against its own latest
// head; against a head saved before, it does not.
func TestVerifyCatchesALogRewrittenWholeWithAnEarlierHead(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db, keys := be.open(t), filepath.Join(t.TempDir(), "keys")
			l, vkey := newLogIn(t, db, keys)
			appendEntries(t, db, 0, 20, 1)
			saved := drain(t, l, 20).Note

			forgedDB := be.open(t)
			forger, _ := newLogIn(t, forgedDB, keys)
			for i := range 20 {
				e := entry(i)
				if i == 7 {
					e = entry(999)
				}
				if err := forgedDB.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, e) }); err != nil {
					t.Fatal(err)
				}
			}
			drain(t, forger, 20)
			if _, err := publiclog.Verify(ctx, forgedDB, vkey); err != nil {
				t.Fatalf("the rewritten log against its own head: %v; the attack should pass that check", err)
			}
			_, err := publiclog.Verify(ctx, forgedDB, vkey, saved)
			if err == nil || !strings.Contains(err.Error(), "no longer hash to the saved head of size 20") {
				t.Fatalf("Verify with the saved head = %v, want the rewrite caught", err)
			}
			if _, err := publiclog.Verify(ctx, db, vkey, saved); err != nil {
				t.Errorf("the honest log with its saved head: %v", err)
			}
		})
	}
}

// literal spells b as a blob literal of the dialect.
func literal(dialect string, b []byte) string {
	if dialect == "SQLite" {
		return fmt.Sprintf("X'%x'", b)
	}
	return fmt.Sprintf(`'\x%x'::bytea`, b)
}

func TestEntriesCannotBeChangedWhileTheTriggersStand(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := be.open(t)
			l, _ := newLog(t, db)
			appendEntries(t, db, 0, 2, 1)
			drain(t, l, 2)
			for _, stmt := range []string{
				`UPDATE log_entries SET body = body`,
				`DELETE FROM log_entries`,
				`UPDATE log_leaves SET leaf = 5 WHERE leaf = 1`,
				`DELETE FROM log_leaves WHERE leaf = 0`,
				`DELETE FROM log_hashes`,
				`UPDATE log_heads SET size = 9`,
			} {
				err := db.Update(ctx, func(tx healthcode.Tx) error { return store.Exec(ctx, tx, stmt) })
				if err == nil {
					t.Errorf("%s: allowed", stmt)
				}
			}
		})
	}
}

func TestHeadIsSignedByTheLogsKeyOnly(t *testing.T) {
	db := backends[0].open(t)
	l, vkey := newLog(t, db)
	appendEntries(t, db, 0, 3, 1)
	head := drain(t, l, 3)
	if _, err := publiclog.OpenHead(head.Note, vkey); err != nil {
		t.Fatalf("the log's own key: %v", err)
	}
	if !strings.HasPrefix(string(head.Note), "healthcode-test\n3\n") {
		t.Errorf("head note %q is not a C2SP checkpoint with the key's name as its origin", head.Note)
	}
	_, other, err := note.GenerateKey(nil, "healthcode-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publiclog.OpenHead(head.Note, other); err == nil {
		t.Error("another key of the same name opened the head")
	}
	forged := strings.Replace(string(head.Note), "\n3\n", "\n4\n", 1)
	if _, err := publiclog.OpenHead([]byte(forged), vkey); err == nil {
		t.Error("a head whose size was changed still opened")
	}
}

// A head saved before heads were C2SP checkpoints (x/mod's tree note)
// still opens, so that a witness's saved head checks the next one; it
// still needs the log's key.
func TestAHeadOfTheFormerFormatStillOpens(t *testing.T) {
	signer, vkey, err := publiclog.LoadOrCreateKey(filepath.Join(t.TempDir(), "keys"), "healthcode-test")
	if err != nil {
		t.Fatal(err)
	}
	tree := tlog.Tree{N: 3, Hash: tlog.RecordHash([]byte("root"))}
	old, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tree))}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := publiclog.OpenHead(old, vkey); err != nil || got != tree {
		t.Errorf("OpenHead(former format) = %v, %v; want %v", got, err, tree)
	}
	_, other, _ := note.GenerateKey(nil, "healthcode-test")
	if _, err := publiclog.OpenHead(old, other); err == nil {
		t.Error("another key opened a head of the former format")
	}
}

func TestKeyIsMadeOnceAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	_, v1, err := publiclog.LoadOrCreateKey(dir, "healthcode-330100")
	if err != nil {
		t.Fatal(err)
	}
	_, v2, err := publiclog.LoadOrCreateKey(dir, "healthcode-330100")
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 {
		t.Error("a second start made a new key")
	}
	st, err := os.Stat(filepath.Join(dir, publiclog.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
	}
}

// TestAnEntryCommittedLateIsNeverSkipped: a transaction that took its
// entry's id first but commits after a later one has been committed (and
// a round has started) still has its entry placed, before the later one.
// PostgreSQL hands out ids at insert, so a sequencer reading "after the
// last placed id" would step over it for good.
func TestAnEntryCommittedLateIsNeverSkipped(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			db := be.open(t)
			l, vkey := newLog(t, db)
			drain(t, l, 0)
			late := entry(1)
			inserted, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				err := db.Update(ctx, func(tx healthcode.Tx) error {
					if err := tx.AppendLog(ctx, late); err != nil {
						return err
					}
					close(inserted)
					<-release
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
			<-inserted
			wg.Go(func() { appendEntries(t, db, 2, 3, 1) }) // waits for the write lock on SQLite
			wg.Go(func() {
				if _, err := l.SequenceLog(ctx); err != nil {
					t.Error(err)
				}
			})
			time.Sleep(100 * time.Millisecond)
			close(release)
			wg.Wait()
			drain(t, l, 2)
			recs, err := db.LogEntries(ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := late.Encode()
			if len(recs) != 2 || !bytes.Equal(recs[0].Body, first) || recs[0].ID > recs[1].ID {
				t.Fatalf("placed %d entries, first %s; want both, the one that took its id first at leaf 0", len(recs), recs[0].Body)
			}
			if _, err := publiclog.Verify(ctx, db, vkey); err != nil {
				t.Error(err)
			}
		})
	}
}
