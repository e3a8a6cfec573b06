package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"healthcode/internal/store"
)

// plan returns the EXPLAIN QUERY PLAN lines of query.
func plan(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	rows, err := store.SQL(db).QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestDuePersonsUsesIndex holds the scheduler to the partial index: a scan
// of statuses would read every person each time it looks for work.
func TestSQLiteDuePersonsUsesIndex(t *testing.T) {
	db := openSQLite(t)
	q := store.QueriesOf(db)
	got := plan(t, db, q.Due, store.Arg(db, time.Now()), 500)
	if !strings.Contains(got, "USING COVERING INDEX statuses_due") || strings.Contains(got, "SCAN statuses") ||
		strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("due persons plan:\n%s\nwant a search of statuses_due in its order", got)
	}
}

func TestSQLiteBatchReadsUseIndexes(t *testing.T) {
	db := openSQLite(t)
	q := store.QueriesOf(db)
	for _, tt := range []struct{ name, query, want string }{
		{"lock persons", q.LockPersons, "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"},
		{"facts of persons", q.FactsOf, "SEARCH facts USING INDEX facts_person (person_id=?)"},
	} {
		got := plan(t, db, tt.query, "[1,2,3]")
		if !strings.Contains(got, tt.want) || strings.Contains(got, "SCAN p\n") || strings.Contains(got, "SCAN facts") {
			t.Errorf("%s plan:\n%s\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestFeedQueriesUseIndexes: a feed looks identities up in batches and
// checks every pending record against the facts; neither may scan.
func TestSQLiteFeedQueriesUseIndexes(t *testing.T) {
	db := openSQLite(t)
	q := store.QueriesOf(db)
	got := plan(t, db, q.ByIdentity, store.List(db, [][]byte{{1}, {2}}))
	if want := "SEARCH p USING INDEX sqlite_autoindex_persons_1 (id_hash=?)"; !strings.Contains(got, want) ||
		strings.Contains(got, "SCAN p\n") {
		t.Errorf("lock by identity plan:\n%s\nwant %q", got, want)
	}
	query, args := store.AddPendingQuery(db, nil, "x", time.Now(), "33")
	got = plan(t, db, query, args...)
	if want := "SEARCH f USING COVERING INDEX facts_source_ref (source=? AND source_ref=?)"; !strings.Contains(got, want) ||
		strings.Contains(got, "SCAN f") {
		t.Errorf("add pending facts plan:\n%s\nwant %q", got, want)
	}
}

// TestDesignationQueriesUseIndexes: a designation finds the people who
// stayed in its area through facts_stays, never by reading every fact.
func TestSQLiteDesignationQueriesUseIndexes(t *testing.T) {
	db := openSQLite(t)
	q := store.QueriesOf(db)
	got := plan(t, db, q.Stayers, "西湖区文三路社区")
	if want := "USING INDEX facts_stays"; !strings.Contains(got, want) || strings.Contains(got, "SCAN facts\n") {
		t.Errorf("stayer ids plan:\n%s\nwant %q", got, want)
	}
	got = plan(t, db, q.Designations, `["330106"]`)
	if want := "designations_area"; !strings.Contains(got, want) {
		t.Errorf("designations plan:\n%s\nwant %q", got, want)
	}
}

// The sequencer asks for pending entries every round: it reads them by
// id after the latest head's through and probes the leaves' entry index
// for each, so a round reads only those however long the log.
func TestSQLitePendingLogUsesItsIndex(t *testing.T) {
	db := openSQLite(t)
	got := plan(t, db, store.QueriesOf(db).PendingLog, 100000, 200000, 1000)
	if !strings.Contains(got, "SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") ||
		!strings.Contains(got, "SEARCH l USING COVERING INDEX") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("pending log plan:\n%s\nwant a range of ids, each probed in the leaves' entry index, in id order", got)
	}
}

// TestSQLitePersonsInDivisionUseTheirIndex: an official's list of the
// persons in a district or a community reads an index of persons by
// region, not every person.
func TestSQLitePersonsInDivisionUseTheirIndex(t *testing.T) {
	db := openSQLite(t)
	q := store.QueriesOf(db)
	for _, tt := range []struct {
		name, query string
		args        []any
	}{
		{"a district", q.PersonsInRegion, []any{"330106", 0, 100}},
		{"a community", q.PersonsInCommunities, []any{"330106", "330106001", "330106002", 0, 100}},
	} {
		got := plan(t, db, tt.query, tt.args...)
		if !strings.Contains(got, "SEARCH p USING INDEX persons_") || strings.Contains(got, "SCAN p\n") {
			t.Errorf("%s: plan:\n%s\nwant a search of persons_region or persons_division", tt.name, got)
		}
	}
}
