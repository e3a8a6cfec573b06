package store_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
	"healthcode/internal/migrate"
	"healthcode/internal/store"
	"healthcode/internal/store/migrations"
	"healthcode/internal/store/pgtest"
	"healthcode/internal/storetest"
)

func TestMain(m *testing.M) {
	pgtest.Unreachable() // prints the banner once, before any test
	os.Exit(m.Run())
}

// openPostgres opens a fresh database as a store, closed when the test or benchmark
// ends; the conformance suite and the benchmarks share it.
func openPostgres(t testing.TB) *store.DB {
	t.Helper()
	return openAt(t, store.OpenPostgres, pgtest.NewDatabase(t))
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) healthcode.Store { return openPostgres(t) })
}

// Two pools on one database stand for two servers sharing it.
func TestPostgresSharedConformance(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (healthcode.Store, healthcode.Store) {
		return twice(t, store.OpenPostgres, pgtest.NewDatabase(t))
	})
}

// migrationsApplied counts the rows of schema_migrations.
func migrationsApplied(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// migrationFiles counts the migrations Open applies.
func migrationFiles(t *testing.T) int {
	t.Helper()
	ms, err := migrate.Load(migrations.FS, ".", "postgres")
	if err != nil || len(ms) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(ms)
}

func TestPostgresOpenTwiceAppliesMigrationsOnce(t *testing.T) {
	dsn := pgtest.NewEmptyDatabase(t)
	for range 2 {
		db, err := store.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if n, want := migrationsApplied(t, dsn), migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want %d, one a migration", n, want)
	}
}

// TestConcurrentOpenMigratesOnce starts two servers on one new database at
// once: without the advisory lock both would create the same tables and
// one would fail.
func TestPostgresConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.NewEmptyDatabase(t)
	for i, err := range openAtOnce(dsn) {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	if n, want := migrationsApplied(t, dsn), migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want %d, one a migration", n, want)
	}
}

// TestPostgresConcurrentOpenMigratesOnceUnderRepeatableRead is the same
// race on a server whose transactions default to REPEATABLE READ: a
// migration's transaction takes its snapshot when its lock statement
// starts, before it waits, so unless it runs READ COMMITTED the second
// server would not see what the first recorded while it waited, and
// would apply the migration again.
func TestPostgresConcurrentOpenMigratesOnceUnderRepeatableRead(t *testing.T) {
	for round := range 5 {
		dsn := pgtest.NewEmptyDatabase(t)
		setDefaultIsolation(t, dsn, "repeatable read")
		for i, err := range openAtOnce(dsn) {
			if err != nil {
				t.Fatalf("round %d: open %d: %v", round, i, err)
			}
		}
	}
}

// openAtOnce opens the store twice at once, as two servers starting
// together do, closes both and returns each open's error.
func openAtOnce(dsn string) []error {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			db, err := store.OpenPostgres(context.Background(), dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errs
}

// setDefaultIsolation makes level the default of the database's new
// sessions.
func setDefaultIsolation(t *testing.T, dsn, level string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = %L',
		current_database(), '`+level+`'); END $$`); err != nil {
		t.Fatal(err)
	}
}

// TestLockPersonSeesCommittedStatus checks that a writer who waited for the
// lock reads the status its predecessor committed, not the one current when
// it started waiting: evaluations build on that status.
func TestPostgresLockPersonSeesCommittedStatus(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	a := &healthcode.Account{PhoneHash: []byte("ph"), PhoneSealed: []byte("ps"), CreatedAt: at}
	p := &healthcode.Person{Relation: healthcode.RelationSelf, DocType: healthcode.DocResidentID,
		IDHash: []byte("idh"), IDSealed: []byte("ids"), NameSealed: []byte("n"), PhoneHash: []byte("ph"),
		PhoneSealed: []byte("ps"), CodeID: []byte("code"), CreatedAt: at, UpdatedAt: at}
	status := func(c healthcode.Color) *healthcode.Status {
		return &healthcode.Status{Color: c, Since: at, Policy: "p", Rule: "r", EvaluatedAt: at}
	}
	err := db.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		p.OwnerID = a.ID
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		return tx.PutStatus(ctx, p.ID, status(healthcode.Green))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx healthcode.Tx) error { _, err := tx.LockPerson(ctx, 999999); return err })
	if code := healthcode.ErrorCode(err); code != healthcode.ENOTFOUND {
		t.Errorf("locking a missing person: %v, want %s", err, healthcode.ENOTFOUND)
	}
	locked, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Update(ctx, func(tx healthcode.Tx) error {
			if _, err := tx.LockPerson(ctx, p.ID); err != nil {
				return err
			}
			close(locked)
			<-release
			return tx.PutStatus(ctx, p.ID, status(healthcode.Red))
		})
	}()
	<-locked
	var seen healthcode.Color
	second := make(chan error, 1)
	go func() {
		second <- db.Update(ctx, func(tx healthcode.Tx) error {
			got, err := tx.LockPerson(ctx, p.ID)
			if err == nil {
				seen = got.Status.Color
			}
			return err
		})
	}()
	time.Sleep(200 * time.Millisecond) // let the second writer start waiting
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if seen != healthcode.Red {
		t.Errorf("second writer saw %v, want the committed red", seen)
	}
}

// TestLockPersonsSkipsHeldPersons: a scheduler must not queue behind a
// person another transaction holds; it leaves them out and carries on, and
// reads what was committed before it took its locks.
func TestPostgresLockPersonsSkipsHeldPersons(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	a := &healthcode.Account{PhoneHash: []byte("ph"), PhoneSealed: []byte("ps"), CreatedAt: at}
	var ids []int64
	err := db.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		for _, tag := range []string{"a", "b"} {
			p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild, DocType: healthcode.DocResidentID,
				IDHash: []byte("idh" + tag), IDSealed: []byte("ids"), NameSealed: []byte("n"), PhoneHash: []byte("ph"),
				PhoneSealed: []byte("ps"), CodeID: []byte("code" + tag), CreatedAt: at, UpdatedAt: at}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	release, holder := holdPerson(t, db, ids[0], &healthcode.Status{Color: healthcode.Red, Since: at, Policy: "p",
		Rule: "r", EvaluatedAt: at})
	// Waiting for the holder would run into this deadline.
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = db.Update(short, func(tx healthcode.Tx) error {
		ps, err := tx.LockPersons(short, ids)
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].ID != ids[1] {
			t.Errorf("LockPersons while %d is held returned %d persons, want only %d", ids[0], len(ps), ids[1])
		}
		return nil
	})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx healthcode.Tx) error {
		ps, err := tx.LockPersons(ctx, ids)
		if err != nil {
			return err
		}
		if len(ps) != 2 || ps[0].Status == nil || ps[0].Status.Color != healthcode.Red {
			t.Errorf("after the holder committed: %d persons, first status %+v; want both, the first red", len(ps), ps[0].Status)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWaitingLocksWaitForHolder: a feed or a designation may not leave a
// person out, so they wait for a checkpoint's transaction holding them
// and then read the status that transaction wrote, not the one before it.
func TestPostgresWaitingLocksWaitForHolder(t *testing.T) {
	for _, tt := range []struct {
		name string
		lock func(tx healthcode.Tx, id int64) ([]*healthcode.Person, error)
	}{
		{"LockByIdentity", func(tx healthcode.Tx, _ int64) ([]*healthcode.Person, error) {
			return tx.LockByIdentity(context.Background(), [][]byte{[]byte("idh-w")})
		}},
		{"LockAll", func(tx healthcode.Tx, id int64) ([]*healthcode.Person, error) {
			return tx.LockAll(context.Background(), []int64{id})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openPostgres(t)
			at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
			id := createPerson(t, db, "w")
			release, holder := holdPerson(t, db, id, &healthcode.Status{Color: healthcode.Yellow, Since: at, Policy: "p",
				Rule: "fever", EvaluatedAt: at})
			waiter, done := make(chan []*healthcode.Person, 1), make(chan error, 1)
			go func() {
				done <- db.Update(context.Background(), func(tx healthcode.Tx) error {
					ps, err := tt.lock(tx, id)
					waiter <- ps
					return err
				})
			}()
			select {
			case ps := <-waiter:
				t.Fatalf("returned %d persons while the person was held; want it to wait", len(ps))
			case <-time.After(300 * time.Millisecond): // long enough to have skipped, had it skipped
			}
			close(release)
			if err := <-holder; err != nil {
				t.Fatal(err)
			}
			ps := <-waiter
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 || ps[0].Status == nil || ps[0].Status.Rule != "fever" {
				t.Fatalf("after the holder committed: %d persons; want the one, with the holder's status", len(ps))
			}
		})
	}
}

// TestLockByIdentityReturnsOnlyWhomItLocked: a person who applies with one
// of the hashes while the lock waits is seen by the statement reading the
// persons, which runs later, but is not locked, and must not be returned:
// the feed would write their facts and status without holding them.
func TestPostgresLockByIdentityReturnsOnlyWhomItLocked(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	held := createPerson(t, db, "held")
	release, holder := holdPerson(t, db, held, &healthcode.Status{Color: healthcode.Yellow, Since: at, Policy: "p",
		Rule: "r", EvaluatedAt: at})
	got, done := make(chan []*healthcode.Person, 1), make(chan error, 1)
	go func() {
		done <- db.Update(ctx, func(tx healthcode.Tx) error {
			ps, err := tx.LockByIdentity(ctx, [][]byte{[]byte("idh-late"), []byte("idh-held")})
			got <- ps
			return err
		})
	}()
	time.Sleep(300 * time.Millisecond) // the lock is waiting for held
	createPerson(t, db, "late")
	close(release)
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	ps := <-got
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != held {
		var ids []int64
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		t.Errorf("LockByIdentity = %v, want only %d, the person it locked", ids, held)
	}
}

// createPerson stores a person of their own account, with identity hash
// "idh-"+tag.
func createPerson(t *testing.T, db *store.DB, tag string) int64 {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	var id int64
	err := db.Update(ctx, func(tx healthcode.Tx) error {
		a := &healthcode.Account{PhoneHash: []byte("ph-" + tag), PhoneSealed: []byte("x"), CreatedAt: at}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationSelf, DocType: healthcode.DocResidentID,
			IDHash: []byte("idh-" + tag), IDSealed: []byte("ids"), NameSealed: []byte("n"), PhoneHash: []byte("pp-" + tag),
			PhoneSealed: []byte("ps"), CodeID: []byte("code-" + tag), CreatedAt: at, UpdatedAt: at}
		err := tx.CreatePerson(ctx, p)
		id = p.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// holdPerson locks a person in a transaction of its own, as a checkpoint
// would, and returns once the lock is held. Closing release makes it write
// st and commit; holder then gives the transaction's error.
func holdPerson(t *testing.T, db *store.DB, id int64, st *healthcode.Status) (release chan<- struct{}, holder <-chan error) {
	t.Helper()
	ctx := context.Background()
	locked, rel := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Update(ctx, func(tx healthcode.Tx) error {
			_, err := tx.LockPerson(ctx, id)
			close(locked)
			if err != nil {
				return err
			}
			<-rel
			return tx.PutStatus(ctx, id, st)
		})
	}()
	<-locked
	return rel, done
}

// TestAddDesignationsWaitsForReadersOfTheArea: a feed transaction that read
// an area's designations (and found none) holds the area until it ends,
// so a designation of that area is stored only after the feed's trips
// are, and its search for trips then finds them.
func TestPostgresAddDesignationsWaitsForReadersOfTheArea(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	read, release := make(chan struct{}), make(chan struct{})
	reader := make(chan error, 1)
	go func() {
		reader <- db.Update(ctx, func(tx healthcode.Tx) error {
			_, err := tx.Designations(ctx, []string{"other", "西湖区文三路社区"})
			close(read)
			<-release
			return err
		})
	}()
	<-read
	added := make(chan error, 1)
	go func() {
		added <- db.Update(ctx, func(tx healthcode.Tx) error {
			_, err := tx.AddDesignations(ctx, []*healthcode.Designation{{Area: "西湖区文三路社区", Level: healthcode.AreaHigh,
				From: at, Source: "hq", SourceRef: "D-1", Author: "key:1", RecordedAt: at}})
			return err
		})
	}()
	select {
	case err := <-added:
		t.Fatalf("AddDesignations returned (%v) while a transaction that read the area was open; want it to wait", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-reader; err != nil {
		t.Fatal(err)
	}
	if err := <-added; err != nil {
		t.Fatal(err)
	}
}
