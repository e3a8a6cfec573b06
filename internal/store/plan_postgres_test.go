package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// seedPlanData fills a new database with 20 000 persons, one in a hundred
// due, and analyses it, so that the planner chooses as it would in
// production rather than for empty tables; it returns the store and a
// connection to it, held until the test ends.
func seedPlanData(t *testing.T) (*store.DB, *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenPostgres(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = store.SQL(db).ExecContext(ctx, `
		INSERT INTO accounts (phone_hash, phone_sealed, created_at) VALUES ('\x01', '\x01', now());
		INSERT INTO persons (owner_id, relation, doc_type, id_hash, id_sealed, name_sealed, name_masked, id_tail,
			phone_hash, phone_sealed, region, code_id, created_at, updated_at)
		SELECT (SELECT min(id) FROM accounts), 'child', 'resident_id', int8send(g), '\x00', '\x00', '', '',
			'\x00', '\x00', '330106', int8send(g), now(), now()
		FROM generate_series(1, 20000) g;
		INSERT INTO statuses (person_id, color, since, policy, rule, fact_ids, reason, next, next_eval_at, evaluated_at)
		SELECT id, 1, now(), 'p', 'r', '[]', '{}', '{}', CASE WHEN id % 100 = 0 THEN now() - interval '1 hour'
			WHEN id % 3 = 0 THEN now() + interval '1 day' END, now()
		FROM persons;
		INSERT INTO facts (person_id, kind, at, recorded_at, source, author, body)
		SELECT id, 'temperature', now(), now(), 'gate', 'key:1', '{}' FROM persons, generate_series(1, 2);
		ANALYZE`)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := store.SQL(db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

// explain returns the plan of query with args on conn.
func explain(t *testing.T, conn *sql.Conn, query string, args ...any) string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestDuePersonsUsesIndex holds the scheduler to the partial index, with
// the parameters' values known (a custom plan) and not (the generic plan a
// prepared statement may switch to after five runs).
func TestPostgresDuePersonsUsesIndex(t *testing.T) {
	db, conn := seedPlanData(t)
	q := store.QueriesOf(db)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, `PREPARE due (timestamptz, bigint) AS `+q.Due); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
			t.Fatal(err)
		}
		got := explain(t, conn, `EXECUTE due (now(), 500)`)
		if !strings.Contains(got, "Index Scan using statuses_due") || strings.Contains(got, "Seq Scan") ||
			strings.Contains(got, "Sort") {
			t.Errorf("%s: due persons plan:\n%s\nwant an index scan of statuses_due in its order", mode, got)
		}
	}
}

func TestPostgresBatchReadsUseIndexes(t *testing.T) {
	db, conn := seedPlanData(t)
	q := store.QueriesOf(db)
	ids := []int64{5, 500, 5000}
	for _, tt := range []struct{ name, query, want string }{
		{"lock persons", q.SkipLocked, "Index Scan using persons_pkey"},
		{"lock all", q.LockAll, "Index Scan using persons_pkey"},
		{"read locked persons", q.LockPersons, "persons_pkey"},
		{"facts of persons", q.FactsOf, "Index Scan using facts_person"},
	} {
		got := explain(t, conn, tt.query, ids)
		if !strings.Contains(got, tt.want) || strings.Contains(got, "Seq Scan on persons") ||
			strings.Contains(got, "Seq Scan on facts") {
			t.Errorf("%s plan:\n%s\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestFeedQueriesUseIndexes: a feed looks identities up in batches and
// checks every pending record against the facts; neither may scan.
func TestPostgresFeedQueriesUseIndexes(t *testing.T) {
	db, conn := seedPlanData(t)
	q := store.QueriesOf(db)
	hashes := [][]byte{{0, 0, 0, 0, 0, 0, 0, 5}, {0, 0, 0, 0, 0, 0, 1, 0}}
	for _, q := range []string{q.LockByIdentity, q.ByIdentity} {
		got := explain(t, conn, q, hashes)
		if want := "persons_id_hash_key"; !strings.Contains(got, want) || strings.Contains(got, "Seq Scan on persons") {
			t.Errorf("lock by identity plan:\n%s\nwant %q", got, want)
		}
	}
	query, args := store.AddPendingQuery(db, hashes[0], "x", time.Now(), "33")
	got := explain(t, conn, query, args...)
	if want := "facts_source_ref"; !strings.Contains(got, want) || strings.Contains(got, "Seq Scan on facts") {
		t.Errorf("add pending facts plan:\n%s\nwant %q", got, want)
	}
}

// TestDesignationQueriesUseIndexes: a designation finds the people who
// stayed in its area through facts_stays, never by reading every fact.
func TestPostgresDesignationQueriesUseIndexes(t *testing.T) {
	db, conn := seedPlanData(t)
	q := store.QueriesOf(db)
	got := explain(t, conn, q.Stayers, "西湖区文三路社区")
	if want := "facts_stays"; !strings.Contains(got, want) || strings.Contains(got, "Seq Scan on facts") {
		t.Errorf("stayer ids plan:\n%s\nwant %q", got, want)
	}
}

// TestPostgresPendingLogReadsOnlyWhatIsPending: with most of a long log
// placed, a round reads the ids after the latest head's through by the
// primary key, not the whole log.
func TestPostgresPendingLogReadsOnlyWhatIsPending(t *testing.T) {
	db, conn := seedPlanData(t)
	_, err := conn.ExecContext(context.Background(), `
		INSERT INTO log_entries (body) SELECT int8send(g) FROM generate_series(1, 50000) g;
		INSERT INTO log_leaves (leaf, entry) SELECT id - 1, id FROM log_entries WHERE id <= 48000;
		ANALYZE`)
	if err != nil {
		t.Fatal(err)
	}
	got := explain(t, conn, store.QueriesOf(db).PendingLog, 48000, 50000, 1000)
	if strings.Contains(got, "Seq Scan on log_entries") || !strings.Contains(got, "log_entries_pkey") {
		t.Errorf("pending log plan:\n%s\nwant the pending ids by the primary key", got)
	}
}
