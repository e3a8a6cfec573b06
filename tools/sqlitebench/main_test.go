// Package sqlitebench compares two database/sql SQLite drivers on workloads
// shaped like healthcode's storage layer:
//
//   - modernc.org/sqlite   (pure Go, transpiled from C; works with CGO_ENABLED=0)
//   - github.com/mattn/go-sqlite3 (cgo binding to the C amalgamation)
//
// Both drivers embed SQLite 3.54.1 at the pinned versions, so differences are
// driver/runtime overhead rather than SQLite engine changes.
//
// Every benchmark runs the identical workload as sub-benchmarks
// driver=modernc and driver=mattn, each against a fresh file database in
// b.TempDir() opened with journal_mode=WAL, synchronous=NORMAL,
// busy_timeout=5000 and foreign_keys=on (see TestConnectionSettings).
package sqlitebench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"
	_ "modernc.org/sqlite"          // registers "sqlite"
)

const (
	numPersons   = 100_000 // rows in persons and statuses
	bulkRows     = 100_000 // fact rows inserted per BulkInsert op
	bulkTxRows   = 1_000   // rows per transaction in BulkInsert
	bulkStmtRows = 100     // rows per multi-row INSERT statement
	readPoolSize = 4       // connections in the read pool
)

// driverCase describes one driver under test.
type driverCase struct {
	name       string // sub-benchmark label: driver=<name>
	sqlDriver  string // name registered with database/sql
	connParams string // shared settings, see connParams below
}

// Both drivers accept the same mattn-style DSN keys at these versions (modernc
// validates and applies them itself); TestConnectionSettings checks that every
// setting really takes effect on every pooled connection of both drivers.
const connParams = "_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate"

var drivers = []driverCase{
	{name: "modernc", sqlDriver: "sqlite", connParams: connParams},
	{name: "mattn", sqlDriver: "sqlite3", connParams: connParams},
}

func (d driverCase) open(tb testing.TB, path string, maxConns int) *sql.DB {
	tb.Helper()
	return d.openParams(tb, path, maxConns, d.connParams)
}

func (d driverCase) openParams(tb testing.TB, path string, maxConns int, params string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(d.sqlDriver, "file:"+path+"?"+params)
	if err != nil {
		tb.Fatalf("%s: open: %v", d.name, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		tb.Fatalf("%s: ping: %v", d.name, err)
	}
	return db
}

const schema = `
CREATE TABLE persons (
	id          INTEGER PRIMARY KEY,
	code_id     BLOB UNIQUE,
	name_masked TEXT,
	id_tail     TEXT,
	region      TEXT
);
CREATE TABLE statuses (
	person_id    INTEGER PRIMARY KEY REFERENCES persons(id),
	color        INTEGER,
	since        INTEGER,
	next_eval_at INTEGER,
	rule         TEXT
);
CREATE TABLE facts (
	id        INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES persons(id),
	kind      TEXT NOT NULL,
	at        INTEGER NOT NULL,
	body      TEXT NOT NULL
);
CREATE INDEX facts_person_at ON facts(person_id, at);
`

// codeID returns the deterministic 16-byte code id of person i (1-based).
func codeID(i int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 0x9e3779b97f4a7c15))
	b := make([]byte, 16)
	for j := 0; j < 16; j += 8 {
		v := r.Uint64()
		for k := 0; k < 8; k++ {
			b[j+k] = byte(v >> (8 * k))
		}
	}
	return b
}

var (
	codesOnce sync.Once
	codes     [][]byte // codes[i-1] == codeID(i)
)

func allCodes() [][]byte {
	codesOnce.Do(func() {
		codes = make([][]byte, numPersons)
		for i := range codes {
			codes[i] = codeID(i + 1)
		}
	})
	return codes
}

var regions = []string{"110101", "310104", "330106", "440305", "510107", "610113"}
var rules = []string{"R-green-default", "R-yellow-contact-7d", "R-red-positive-14d"}

// seed creates the schema and fills persons and statuses with numPersons rows
// using the driver under test. It returns the database file path.
func seed(tb testing.TB, d driverCase, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "seed-"+d.name+".db")
	db := d.open(tb, path, 1)
	defer db.Close()
	if _, err := db.Exec(schema); err != nil {
		tb.Fatalf("%s: schema: %v", d.name, err)
	}
	codes := allCodes()
	const perStmt = 200
	pq := "INSERT INTO persons(id, code_id, name_masked, id_tail, region) VALUES" + placeholders(5, perStmt)
	sq := "INSERT INTO statuses(person_id, color, since, next_eval_at, rule) VALUES" + placeholders(5, perStmt)
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	pStmt, err := tx.Prepare(pq)
	if err != nil {
		tb.Fatal(err)
	}
	sStmt, err := tx.Prepare(sq)
	if err != nil {
		tb.Fatal(err)
	}
	pArgs := make([]any, 0, 5*perStmt)
	sArgs := make([]any, 0, 5*perStmt)
	for id := 1; id <= numPersons; id++ {
		pArgs = append(pArgs, id, codes[id-1], fmt.Sprintf("Z*%c", 'A'+id%26), fmt.Sprintf("%04d", id%10000), regions[id%len(regions)])
		color := id % 3
		since := int64(1_700_000_000 + id)
		sArgs = append(sArgs, id, color, since, since+86_400, rules[color])
		if id%perStmt == 0 {
			if _, err := pStmt.Exec(pArgs...); err != nil {
				tb.Fatal(err)
			}
			if _, err := sStmt.Exec(sArgs...); err != nil {
				tb.Fatal(err)
			}
			pArgs, sArgs = pArgs[:0], sArgs[:0]
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	// No ANALYZE by default. modernc is compiled with SQLITE_ENABLE_STAT4 and
	// mattn is not; once sqlite_stat4 exists, SQLite re-prepares a statement
	// whenever a new binding of a WHERE parameter could change the plan, which
	// makes every modernc point read re-parse its SQL. Set
	// SQLITEBENCH_ANALYZE=1 to measure that configuration.
	if os.Getenv("SQLITEBENCH_ANALYZE") == "1" {
		if _, err := db.Exec("ANALYZE"); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		tb.Fatal(err)
	}
	return path
}

// freshCopy copies the seeded database file to a new file in dir.
func freshCopy(tb testing.TB, src, dir, name string) string {
	tb.Helper()
	dst := filepath.Join(dir, name)
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return dst
}

func placeholders(cols, rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

// factBodies are ~200-byte JSON documents, precomputed so that building them
// does not show up in the measurements.
var factBodies = func() []string {
	out := make([]string, 256)
	results := []string{"negative", "positive", "pending"}
	for i := range out {
		out[i] = fmt.Sprintf(`{"type":"nucleic_acid_test","result":%q,"lab":"LAB-%04d",`+
			`"sample_at":%d,"reported_at":%d,"source":"hospital-feed","batch":"B%08d",`+
			`"operator":"op-%03d","note":"routine screening, no symptoms reported"}`,
			results[i%3], i*7%10000, 1_700_000_000+i, 1_700_003_600+i, i*7919, i%1000)
	}
	return out
}()

// lazy runs setup once per driver per benchmark function, not once per b.N
// probe of the sub-benchmark. (With -count N the testing package repeats each
// leaf sub-benchmark N times inside one call of the outer function, so the
// repeats share the fixture; the database is fresh per driver and benchmark.)
type lazy[T any] struct {
	once sync.Once
	v    T
}

func (l *lazy[T]) get(f func() T) T {
	l.once.Do(func() { l.v = f() })
	return l.v
}

type pointReadFixture struct {
	db   *sql.DB
	stmt *sql.Stmt
}

const pointReadSQL = `SELECT p.id, p.name_masked, p.id_tail, p.region,
	s.color, s.since, s.next_eval_at, s.rule
FROM persons p JOIN statuses s ON s.person_id = p.id
WHERE p.code_id = ?`

type personStatus struct {
	id                      int64
	nameMasked, idTail, reg string
	color                   int64
	since, nextEvalAt       int64
	rule                    string
}

func pointRead(stmt *sql.Stmt, code []byte, ps *personStatus) error {
	return stmt.QueryRow(code).Scan(&ps.id, &ps.nameMasked, &ps.idTail, &ps.reg,
		&ps.color, &ps.since, &ps.nextEvalAt, &ps.rule)
}

// BenchmarkPointRead: one prepared point lookup by code_id joined with the
// person's status, random existing code ids, on a read pool of 4 connections.
// "serial" uses one goroutine; "parallel" uses b.RunParallel with
// SetParallelism(2) so that 2 cores × 2 = 4 goroutines share the 4 connections.
func BenchmarkPointRead(b *testing.B) {
	codes := allCodes()
	dir := b.TempDir()
	for _, d := range drivers {
		var fx lazy[pointReadFixture]
		setup := func(b *testing.B) pointReadFixture {
			return fx.get(func() pointReadFixture {
				path := freshCopy(b, seed(b, d, dir), dir, "pointread-"+d.name+".db")
				db := d.open(b, path, readPoolSize)
				stmt, err := db.Prepare(pointReadSQL)
				if err != nil {
					b.Fatal(err)
				}
				// Warm every pooled connection (and its prepared statement).
				var wg sync.WaitGroup
				for w := 0; w < readPoolSize; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var ps personStatus
						for i := 0; i < 2000; i++ {
							_ = pointRead(stmt, codes[(w*2000+i)%len(codes)], &ps)
						}
					}()
				}
				wg.Wait()
				return pointReadFixture{db: db, stmt: stmt}
			})
		}
		b.Run("driver="+d.name, func(b *testing.B) {
			b.Run("mode=serial", func(b *testing.B) {
				fx := setup(b)
				r := rand.New(rand.NewPCG(1, 2))
				var ps personStatus
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					id := r.IntN(numPersons) + 1
					if err := pointRead(fx.stmt, codes[id-1], &ps); err != nil {
						b.Fatal(err)
					}
					if ps.id != int64(id) {
						b.Fatalf("got person %d, want %d", ps.id, id)
					}
				}
			})
			b.Run("mode=parallel", func(b *testing.B) {
				fx := setup(b)
				var seq atomic.Uint64
				b.ReportAllocs()
				b.SetParallelism(2)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(seq.Add(1), 7))
					var ps personStatus
					for pb.Next() {
						id := r.IntN(numPersons) + 1
						if err := pointRead(fx.stmt, codes[id-1], &ps); err != nil {
							b.Error(err)
							return
						}
						if ps.id != int64(id) {
							b.Errorf("got person %d, want %d", ps.id, id)
							return
						}
					}
				})
			})
		})
		// Close after both modes of this driver have run.
		if fx.v.db != nil {
			fx.v.stmt.Close()
			fx.v.db.Close()
		}
	}
}

type writeFixture struct {
	db         *sql.DB
	insertFact *sql.Stmt
	updateStat *sql.Stmt
}

// BenchmarkSmallWriteTx: one op = BEGIN IMMEDIATE; INSERT one fact (~200 B
// JSON body); UPDATE that person's status; COMMIT — on a single writer
// connection against the seeded 100k-person database.
func BenchmarkSmallWriteTx(b *testing.B) {
	dir := b.TempDir()
	for _, d := range drivers {
		var fx lazy[writeFixture]
		b.Run("driver="+d.name, func(b *testing.B) {
			fx := fx.get(func() writeFixture {
				path := freshCopy(b, seed(b, d, dir), dir, "smallwrite-"+d.name+".db")
				db := d.open(b, path, 1) // single writer connection
				ins, err := db.Prepare("INSERT INTO facts(person_id, kind, at, body) VALUES(?, ?, ?, ?)")
				if err != nil {
					b.Fatal(err)
				}
				upd, err := db.Prepare("UPDATE statuses SET color = ?, since = ?, next_eval_at = ?, rule = ? WHERE person_id = ?")
				if err != nil {
					b.Fatal(err)
				}
				return writeFixture{db: db, insertFact: ins, updateStat: upd}
			})
			ctx := context.Background()
			r := rand.New(rand.NewPCG(3, 4))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				pid := r.IntN(numPersons) + 1
				at := int64(1_710_000_000 + i)
				color := i % 3
				tx, err := fx.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE via _txlock=immediate
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tx.StmtContext(ctx, fx.insertFact).Exec(pid, "test_result", at, factBodies[i&255]); err != nil {
					b.Fatal(err)
				}
				res, err := tx.StmtContext(ctx, fx.updateStat).Exec(color, at, at+86_400, rules[color], pid)
				if err != nil {
					b.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					b.Fatalf("updated %d rows, want 1", n)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
		if fx.v.db != nil {
			fx.v.insertFact.Close()
			fx.v.updateStat.Close()
			fx.v.db.Close()
		}
	}
}

// BenchmarkBulkInsert: one op = insert 100k fact rows into a fresh copy of the
// seeded database, 1000 rows per transaction, using a prepared multi-row
// INSERT of 100 rows per statement. The file copy and open/close are excluded
// from the timing. Reports ns/row in addition to ns/op.
func BenchmarkBulkInsert(b *testing.B) {
	dir := b.TempDir()
	insertSQL := "INSERT INTO facts(person_id, kind, at, body) VALUES" + placeholders(4, bulkStmtRows)
	for _, d := range drivers {
		var seeded lazy[string]
		b.Run("driver="+d.name, func(b *testing.B) {
			src := seeded.get(func() string { return seed(b, d, dir) })
			r := rand.New(rand.NewPCG(5, 6))
			args := make([]any, 4*bulkStmtRows)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				path := freshCopy(b, src, dir, fmt.Sprintf("bulk-%s-%d.db", d.name, i))
				db := d.open(b, path, 1)
				b.StartTimer()

				stmt, err := db.Prepare(insertSQL)
				if err != nil {
					b.Fatal(err)
				}
				row := 0
				for row < bulkRows {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					txStmt := tx.StmtContext(ctx, stmt)
					for s := 0; s < bulkTxRows/bulkStmtRows; s++ {
						for k := 0; k < bulkStmtRows; k++ {
							args[4*k+0] = r.IntN(numPersons) + 1
							args[4*k+1] = "test_result"
							args[4*k+2] = int64(1_720_000_000 + row)
							args[4*k+3] = factBodies[row&255]
							row++
						}
						if _, err := txStmt.Exec(args...); err != nil {
							b.Fatal(err)
						}
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				stmt.Close()

				b.StopTimer()
				var n int
				if err := db.QueryRow("SELECT count(*) FROM facts").Scan(&n); err != nil || n != bulkRows {
					b.Fatalf("facts count = %d, err %v; want %d", n, err, bulkRows)
				}
				db.Close()
				os.Remove(path)
				os.Remove(path + "-wal")
				os.Remove(path + "-shm")
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bulkRows), "ns/row")
		})
	}
}

// TestConnectionSettings checks, for both drivers, that every connection of a
// pool really runs with the required pragmas and that transactions start with
// BEGIN IMMEDIATE — so the benchmarks compare like with like.
func TestConnectionSettings(t *testing.T) {
	for _, d := range drivers {
		t.Run("driver="+d.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "settings.db")
			db := d.open(t, path, readPoolSize)
			defer db.Close()
			if _, err := db.Exec(schema); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			// Hold readPoolSize distinct connections at once and check each.
			conns := make([]*sql.Conn, readPoolSize)
			for i := range conns {
				c, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns[i] = c
			}
			for i, c := range conns {
				var jm string
				var syncMode, busy, fk int
				if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&jm); err != nil {
					t.Fatal(err)
				}
				if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
					t.Fatal(err)
				}
				if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
					t.Fatal(err)
				}
				if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
					t.Fatal(err)
				}
				if jm != "wal" || syncMode != 1 || busy != 5000 || fk != 1 {
					t.Errorf("conn %d: journal_mode=%s synchronous=%d busy_timeout=%d foreign_keys=%d; want wal 1 5000 1",
						i, jm, syncMode, busy, fk)
				}
			}
			for _, c := range conns {
				c.Close()
			}

			// foreign_keys is enforced.
			if _, err := db.Exec("INSERT INTO facts(person_id, kind, at, body) VALUES(424242, 'x', 0, '{}')"); err == nil {
				t.Error("insert violating a foreign key succeeded; foreign_keys not enforced")
			}

			// A transaction that has not written anything yet must already hold
			// the write lock (BEGIN IMMEDIATE): a second writer cannot begin.
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			probe := d.openParams(t, path, 1, "_busy_timeout=0")
			defer probe.Close()
			_, err = probe.Exec("BEGIN IMMEDIATE")
			if err == nil {
				probe.Exec("ROLLBACK")
				t.Fatal("second BEGIN IMMEDIATE succeeded; BeginTx did not take the write lock")
			}
			if !strings.Contains(strings.ToLower(err.Error()), "locked") && !strings.Contains(strings.ToLower(err.Error()), "busy") {
				t.Fatalf("unexpected error from probe: %v", err)
			}
		})
	}
}
