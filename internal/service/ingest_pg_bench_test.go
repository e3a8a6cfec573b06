package service_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/ingest"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/policy"
)

// BenchmarkIngestPostgres loads a laboratory's CSV file of nucleic-acid
// results, one for each of HEALTHCODE_BENCH_PEOPLE persons (default
// 100000) who have applied, through the path `healthcode ingest` takes:
// decode, match by ID number, store, re-evaluate and re-colour, batches
// of 1000 committed with their colours (ingest-rows/s). One person in ten
// is a sub-close contact whose second negative test this is: they turn
// from red to green, with a history entry; the rest are green and stay so.
// In the same run the same file is copied with a bare COPY … (FORMAT csv)
// into a table of text columns without keys or indexes (copy-rows/s),
// what the server takes at best; ingest/copy is the fraction of that.
//
//	HEALTHCODE_BENCH_PEOPLE=1000000 go test -run '^$' -bench IngestPostgres -benchtime 1x -timeout 60m ./internal/service/
func BenchmarkIngestPostgres(b *testing.B) {
	n := benchPeopleOr(b, 100_000)
	ctx := context.Background()
	store, conn := openBenchPostgres(b)
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	svc := benchService(b, store, now)
	pop := labPopulation{n: n, now: now}
	if err := pop.seed(ctx, conn); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "lab.csv")
	if err := pop.writeFeed(file); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE raw_lab (source_ref text, doc_number text, at text, sampled text,
		result text, lab text)`); err != nil {
		b.Fatal(err)
	}

	var ingestTook, copyTook time.Duration
	for i := range b.N {
		b.StopTimer()
		if i > 0 { // the same rows again would be duplicates: start over
			if err := pop.reset(ctx, conn); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		res := ingestFile(b, svc, file)
		ingestTook += time.Since(start)
		if res.Added != n || res.Recoloured != pop.contacts() {
			b.Fatalf("ingest: %+v, want %d added and %d recoloured", res, n, pop.contacts())
		}
		start = time.Now()
		copied := copyFile(b, conn, file)
		copyTook += time.Since(start)
		if copied != int64(n) {
			b.Fatalf("copied %d rows, want %d", copied, n)
		}
	}
	rows := float64(n * b.N)
	b.ReportMetric(rows/ingestTook.Seconds(), "ingest-rows/s")
	b.ReportMetric(rows/copyTook.Seconds(), "copy-rows/s")
	b.ReportMetric(copyTook.Seconds()/ingestTook.Seconds(), "ingest/copy")
}

// ingestFile stores a lab feed as `healthcode ingest lab FILE` does.
func ingestFile(b *testing.B, svc *service.Service, file string) service.IngestResult {
	b.Helper()
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	dec, err := ingest.NewDecoder("lab", ingest.CSV, bufio.NewReaderSize(f, 1<<16), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	res, rejected, err := service.IngestStream(ctx, dec, service.Stream{
		Store: func(ctx context.Context, rows []ingest.Row) (service.IngestResult, error) {
			return svc.IngestAs(ctx, "lab:bench", "cli:bench", rows)
		},
	})
	if err != nil || rejected != 0 {
		b.Fatalf("ingest: %d rejected, %v", rejected, err)
	}
	return res
}

// copyFile copies the feed file as it is into raw_lab.
func copyFile(b *testing.B, conn *pgx.Conn, file string) int64 {
	b.Helper()
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tag, err := conn.PgConn().CopyFrom(context.Background(), f, `COPY raw_lab FROM STDIN (FORMAT csv, HEADER true)`)
	if err != nil {
		b.Fatal(err)
	}
	return tag.RowsAffected()
}

// labPopulation is n persons who applied in Huzhou (330500, under the
// 2022 transfer rules) ten days before now. Every tenth is a sub-close
// contact exposed eight days ago with one negative test three days ago,
// red until a second negative test; the others declared nothing and are
// green. With an area, instead, everyone is green and was reported by a
// telecom in that area two days ago, with no level: whom a designation of
// the area colours.
type labPopulation struct {
	n    int
	now  time.Time
	area string
}

const labRegion = "330500"

func (p labPopulation) contacts() int {
	if p.area != "" {
		return 0
	}
	return (p.n + 9) / 10
}

func (p labPopulation) contact(k int) bool { return p.area == "" && k%10 == 0 }

// number is person k's resident ID number, valid and unique.
func (p labPopulation) number(k int) string {
	first17 := fmt.Sprintf("330502%04d%02d%02d%03d", 1940+k/(12*28*1000)%60, 1+k/(28*1000)%12, 1+k/1000%28, k%1000)
	c, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		panic(err) // the format above is always 17 digits
	}
	return first17 + string(c)
}

// facts returns person k's facts before the feed.
func (p labPopulation) facts(k int) []healthcode.Fact {
	applied := p.now.Add(-10 * 24 * time.Hour)
	id := int64(k + 1)
	decl := healthcode.Fact{ID: 2*id - 1, PersonID: id, Kind: healthcode.FactDeclaration, At: applied, RecordedAt: applied,
		Source: "citizen", Author: fmt.Sprintf("account:%d", id),
		Declaration: &healthcode.DeclarationFact{Region: labRegion, Declaration: healthcode.Declaration{Commitment: true}}}
	if p.area != "" {
		stayed := p.now.Add(-2 * 24 * time.Hour)
		return []healthcode.Fact{decl, {ID: 2 * id, PersonID: id, Kind: healthcode.FactAreaStay, At: stayed.Add(4 * time.Hour),
			RecordedAt: stayed.Add(4 * time.Hour), Source: "telecom", SourceRef: fmt.Sprintf("T-%d", k), Author: "seed",
			AreaStay: &healthcode.AreaStayFact{Area: p.area, From: stayed, To: stayed.Add(2 * time.Hour)}}}
	}
	if !p.contact(k) {
		return []healthcode.Fact{decl}
	}
	exposed := p.now.Add(-8 * 24 * time.Hour)
	tested := p.now.Add(-3 * 24 * time.Hour)
	return []healthcode.Fact{decl,
		{ID: 2 * id, PersonID: id, Kind: healthcode.FactContact, At: exposed.Add(time.Hour), RecordedAt: exposed.Add(time.Hour),
			Source: "cdc", Author: "seed", Contact: &healthcode.ContactFact{Type: healthcode.ContactSubClose, Exposure: exposed}},
		{ID: 2*id + 2*int64(p.n), PersonID: id, Kind: healthcode.FactTest, At: tested, RecordedAt: tested,
			Source: "lab:earlier", SourceRef: fmt.Sprintf("E-%d", k), Author: "seed",
			Test: &healthcode.TestFact{Sampled: tested.Add(-8 * time.Hour), Result: healthcode.TestNegative, Lab: "lab"}},
	}
}

// seed copies the persons, their facts and the statuses the policy gives
// them into the database.
func (p labPopulation) seed(ctx context.Context, conn *pgx.Conn) error {
	box, err := secret.New(make([]byte, secret.KeySize)) // benchService's key
	if err != nil {
		return err
	}
	created := p.now.Add(-10 * 24 * time.Hour)
	if _, err := conn.Exec(ctx, `INSERT INTO accounts (id, phone_hash, phone_sealed, created_at)
		OVERRIDING SYSTEM VALUE VALUES (1, '\x01', '\x01', $1)`, created); err != nil {
		return err
	}
	k := -1
	persons := pgx.CopyFromFunc(func() ([]any, error) {
		if k++; k == p.n {
			return nil, nil
		}
		id := int64(k + 1)
		return []any{id, int64(1), "child", "resident_id", box.Hash("id", "resident_id:"+p.number(k)), tag('I', id, 46),
			tag('N', id, 37), "张*三", "002X", tag('p', id, 32), tag('P', id, 39), labRegion, tag('c', id, 12), created, created}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"persons"}, []string{"id", "owner_id", "relation", "doc_type", "id_hash",
		"id_sealed", "name_sealed", "name_masked", "id_tail", "phone_hash", "phone_sealed", "region", "code_id",
		"created_at", "updated_at"}, persons); err != nil {
		return fmt.Errorf("copy persons: %w", err)
	}
	if err := p.copyFacts(ctx, conn); err != nil {
		return err
	}
	if err := p.copyStatuses(ctx, conn); err != nil {
		return err
	}
	for _, table := range []string{"accounts", "persons", "facts"} {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), max(id)) FROM %[1]s`, table)
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	_, err = conn.Exec(ctx, `VACUUM ANALYZE`)
	return err
}

func (p labPopulation) copyFacts(ctx context.Context, conn *pgx.Conn) error {
	k := -1
	return copyFacts(ctx, conn, func() ([]healthcode.Fact, bool) {
		if k++; k == p.n {
			return nil, false
		}
		return p.facts(k), true
	})
}

// statusRow is a status as the statuses table keeps it.
func statusRow(id int64, st *healthcode.Status) ([]any, error) {
	detail, err := st.MarshalDetail()
	if err != nil {
		return nil, err
	}
	enc := func(v any) json.RawMessage {
		b, _ := json.Marshal(v) // slices of numbers and texts always encode
		return b
	}
	var next *time.Time
	if !st.NextEvalAt.IsZero() {
		next = &st.NextEvalAt
	}
	return []any{id, int16(st.Color), st.Since, st.Policy, st.Rule, enc(st.FactIDs), enc(st.Reason), enc(st.Next),
		json.RawMessage(detail), next, st.EvaluatedAt}, nil
}

// writeFeed writes one negative result per person, sampled six hours
// before now, in an order of the laboratory's own (shuffled persons).
func (p labPopulation) writeFeed(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintln(w, "source_ref,doc_number,at,sampled,result,lab")
	at := p.now.Add(-time.Hour).Format(time.RFC3339)
	sampled := p.now.Add(-6 * time.Hour).Format(time.RFC3339)
	order := rand.New(rand.NewPCG(1, 2)).Perm(p.n)
	for i, k := range order {
		fmt.Fprintf(w, "NA-%08d,%s,%s,%s,negative,Huzhou CDC\n", i, p.number(k), at, sampled)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// reset removes what an iteration stored, so the next stores it anew.
func (p labPopulation) reset(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `TRUNCATE raw_lab;
		DELETE FROM facts WHERE source = 'lab:bench';
		ALTER TABLE status_history DISABLE TRIGGER USER;
		TRUNCATE status_history;
		ALTER TABLE status_history ENABLE TRIGGER USER;
		VACUUM ANALYZE`)
	if err != nil {
		return err
	}
	// The statuses as they were before the feed.
	if _, err := conn.Exec(ctx, `TRUNCATE statuses`); err != nil {
		return err
	}
	return p.copyStatuses(ctx, conn)
}

// copyStatuses copies the statuses the policy gives the persons' facts
// before the feed.
func (p labPopulation) copyStatuses(ctx context.Context, conn *pgx.Conn) error {
	reg, err := policy.ShippedRegistry("330100", nil)
	if err != nil {
		return err
	}
	pol := reg.For(labRegion)
	k := -1
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"statuses"}, []string{"person_id", "color", "since", "policy", "rule",
		"fact_ids", "reason", "next", "detail", "next_eval_at", "evaluated_at"}, pgx.CopyFromFunc(func() ([]any, error) {
		if k++; k == p.n {
			return nil, nil
		}
		st := pol.Evaluate(p.facts(k), p.now)
		row, err := statusRow(int64(k+1), &st)
		return row, err
	}))
	if err != nil {
		return fmt.Errorf("copy statuses: %w", err)
	}
	return nil
}

// BenchmarkDesignatePostgres designates a residential community a
// high-risk area where HEALTHCODE_BENCH_PEOPLE persons (default 50000) were
// reported two days ago, all green until then: the designation makes each
// an area stay and turns them red, with history (people/s, and seconds for
// all of them).
//
//	HEALTHCODE_BENCH_PEOPLE=500000 go test -run '^$' -bench DesignatePostgres -benchtime 1x -timeout 30m ./internal/service/
func BenchmarkDesignatePostgres(b *testing.B) {
	n := benchPeopleOr(b, 50_000)
	ctx := context.Background()
	store, conn := openBenchPostgres(b)
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	svc := benchService(b, store, now)
	const area = "吴兴区爱山街道东街社区"
	pop := labPopulation{n: n, now: now, area: area}
	if err := pop.seed(ctx, conn); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	for i := range b.N {
		b.StopTimer()
		if i > 0 {
			if _, err := conn.Exec(ctx, `DELETE FROM facts WHERE source = 'hq'; DELETE FROM designations`); err != nil {
				b.Fatal(err)
			}
			if err := pop.reset(ctx, conn); err != nil {
				b.Fatal(err)
			}
		}
		d := ingest.Designation{SourceRef: "D-1", Area: area, Level: healthcode.AreaHigh, From: now.Add(-3 * 24 * time.Hour)}
		b.StartTimer()
		start := time.Now()
		res, err := svc.DesignateAs(ctx, "hq", "cli:hq", []ingest.Designation{d})
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stays != n || res.Recoloured != n {
			b.Fatalf("designation: %+v, want %d stays made and as many recoloured", res, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "people/s")
	b.ReportMetric(took.Seconds()/float64(b.N), "s/designation")
}
