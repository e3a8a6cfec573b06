package service_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
)

// benchSeed writes persons who declared contact with cases, red and due,
// straight into a PostgreSQL database with COPY (write), or through any
// store's own methods (store, in benchstore_test.go): what that many
// applications leave behind, in seconds instead of hours. Rows are made as
// COPY asks for them, so seeding a million holds one row at a time, and
// the benchmark's peak memory is the scheduler's.
//
// They live in Shaoxing (330602), whose shipped pack keeps a declared
// contact red for 14 days and then turns them green by time alone, so every
// evaluation changes a colour and appends history: the scheduler's
// heaviest path. Person k (from first) has account k, one history entry and facts 2k-1 and,
// for even k, 2k: a declaration, and for half of them a second one an
// hour later. Declarations spread over the day after base, so the statuses
// fall due in an order of their own.
type benchSeed struct {
	base  time.Time
	first int64
	n     int
}

const benchRule = "seed/declared-contact"

// The red status's reason and next step, as the shipped packs word them.
var (
	benchReason = healthcode.Text{Zh: "申报接触过确诊或疑似病例。", En: "Declared contact with confirmed or suspected cases."}
	benchNext   = healthcode.Text{Zh: "居家隔离14天。", En: "Isolate at home for 14 days."}
)

func (s benchSeed) declaredAt(k int64) time.Time {
	return s.base.Add(time.Duration(k%86400) * time.Second)
}

// facts returns person k's declarations.
func (s benchSeed) facts(k int64) []healthcode.Fact {
	at := s.declaredAt(k)
	decl := &healthcode.DeclarationFact{Region: "330602",
		Declaration: healthcode.Declaration{ContactCases: true, Commitment: true}}
	fs := []healthcode.Fact{{ID: 2*k - 1, PersonID: k, Kind: healthcode.FactDeclaration, At: at, RecordedAt: at,
		Source: "citizen", Author: fmt.Sprintf("account:%d", k), Declaration: decl}}
	if k%2 == 0 {
		f := fs[0]
		f.ID, f.At, f.RecordedAt = 2*k, at.Add(time.Hour), at.Add(time.Hour)
		fs = append(fs, f)
	}
	return fs
}

// entry returns person k's first history entry, sealed.
func (s benchSeed) entry(k int64) *healthcode.HistoryEntry {
	e := &healthcode.HistoryEntry{PersonID: k, To: healthcode.Red, Rule: benchRule, FactIDs: []int64{2*k - 1},
		Author: healthcode.AuthorSystem, At: s.declaredAt(k)}
	e.Seal(0, nil)
	return e
}

// tag is 8 bytes unique to person k, prefixed so hashes of different
// kinds differ.
func tag(prefix byte, k int64, size int) []byte {
	b := make([]byte, size) // the size of the real sealed or hashed value
	b[0] = prefix
	binary.BigEndian.PutUint64(b[1:], uint64(k))
	return b
}

// rows feeds COPY one generated row per person.
func (s benchSeed) rows(row func(k int64) ([]any, error)) pgx.CopyFromSource {
	k := s.first - 1
	return pgx.CopyFromFunc(func() ([]any, error) {
		if k++; k >= s.first+int64(s.n) {
			return nil, nil
		}
		return row(k)
	})
}

// write copies every table, then moves the id sequences past the copied
// ids and analyses, as a live database would have statistics.
func (s benchSeed) write(ctx context.Context, conn *pgx.Conn) error {
	created := s.base.Add(-24 * time.Hour)
	reason, _ := json.Marshal(benchReason)
	next, _ := json.Marshal(benchNext)
	tables := []struct {
		name string
		cols []string
		row  func(k int64) ([]any, error)
	}{
		{"accounts", []string{"id", "phone_hash", "phone_sealed", "created_at"}, func(k int64) ([]any, error) {
			return []any{k, tag('p', k, 32), tag('P', k, 39), created}, nil
		}},
		{"persons", []string{"id", "owner_id", "relation", "doc_type", "id_hash", "id_sealed", "name_sealed",
			"name_masked", "id_tail", "phone_hash", "phone_sealed", "region", "code_id", "created_at", "updated_at"},
			func(k int64) ([]any, error) {
				return []any{k, k, "self", "resident_id", tag('i', k, 32), tag('I', k, 46), tag('N', k, 37),
					"张*三", "002X", tag('p', k, 32), tag('P', k, 39), "330602", tag('c', k, 16), created, created}, nil
			}},
		// The entries' ids come from the sequence: the evaluations of an
		// earlier seed took the ids past it, so id k may be in use.
		{"status_history", []string{"person_id", "seq", "from_color", "to_color", "rule", "fact_ids", "author",
			"at", "prev_hash", "hash"}, func(k int64) ([]any, error) {
			e := s.entry(k)
			return []any{k, e.Seq, int16(e.From), int16(e.To), e.Rule, json.RawMessage(fmt.Sprintf("[%d]", 2*k-1)),
				e.Author, e.At, nil, e.Hash}, nil
		}},
		{"statuses", []string{"person_id", "color", "since", "policy", "rule", "fact_ids", "reason", "next",
			"next_eval_at", "evaluated_at", "head_seq", "head_hash"}, func(k int64) ([]any, error) {
			fs := s.facts(k)
			last := fs[len(fs)-1].At
			return []any{k, int16(healthcode.Red), fs[0].At, "seed", benchRule, json.RawMessage(fmt.Sprintf("[%d]", 2*k-1)),
				json.RawMessage(reason), json.RawMessage(next), last.Add(14 * 24 * time.Hour), last, int64(1),
				s.entry(k).Hash}, nil
		}},
	}
	for _, t := range tables {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, s.rows(t.row)); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	// Facts are one or two a person: their own loop.
	k := s.first - 1
	err := copyFacts(ctx, conn, func() ([]healthcode.Fact, bool) {
		if k++; k >= s.first+int64(s.n) {
			return nil, false
		}
		return s.facts(k), true
	})
	if err != nil {
		return err
	}
	for _, table := range []string{"accounts", "persons", "facts", "status_history"} {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), max(id)) FROM %[1]s`, table)
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	// VACUUM sets the hint bits a first read would otherwise write, and
	// ANALYZE gives the planner the statistics a live database has.
	_, err = conn.Exec(ctx, `VACUUM ANALYZE`)
	return err
}

// copyFacts copies the facts of one person after another into the facts
// table, as next gives them, until it says there are no more persons.
func copyFacts(ctx context.Context, conn *pgx.Conn, next func() ([]healthcode.Fact, bool)) error {
	var pending []healthcode.Fact
	facts := pgx.CopyFromFunc(func() ([]any, error) {
		for len(pending) == 0 {
			var more bool
			if pending, more = next(); !more {
				return nil, nil
			}
		}
		f := pending[0]
		pending = pending[1:]
		body, err := f.MarshalBody()
		return []any{f.ID, f.PersonID, string(f.Kind), f.At, f.RecordedAt, f.Source, f.SourceRef, f.Author,
			json.RawMessage(body)}, err
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"facts"}, []string{"id", "person_id", "kind", "at", "recorded_at",
		"source", "source_ref", "author", "body"}, facts); err != nil {
		return fmt.Errorf("copy facts: %w", err)
	}
	return nil
}
