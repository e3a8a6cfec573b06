package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/migrate"
	"healthcode/internal/store"
	"healthcode/internal/store/migrations"
)

// TestMigrationsCoverBothDialects: every number has a migration for each
// dialect, under one name, so the two schemas step forward together.
func TestMigrationsCoverBothDialects(t *testing.T) {
	lite, err := migrate.Load(migrations.FS, ".", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrate.Load(migrations.FS, ".", "postgres")
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []migrate.Migration) (out []string) {
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if got, want := names(lite), names(pg); !slices.Equal(got, want) {
		t.Errorf("sqlite has %v, postgres %v; want the same sequence", got, want)
	}
}

// oldSQLite makes a database as the SQLite store did before the dialects
// shared one numbering: the same SQL (the files did not change), without
// PostgreSQL's 0002, recorded 1 to 6 under the old names.
func oldSQLite(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	ms, err := migrate.Load(migrations.FS, ".", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	ms = ms[:7] // the old numbering ended with 0006_rate_limits, 0007 now: later steps run as for anyone
	ms = slices.DeleteFunc(ms, func(m migrate.Migration) bool { return m.Name == "0002_facts_person_key.sql" })
	for i, m := range ms {
		if _, err := db.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		_, title, _ := strings.Cut(m.Name, "_")
		old := fmt.Sprintf("%04d_%s", i+1, title)
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, 0)`, i+1, old); err != nil {
			t.Fatal(err)
		}
	}
}

// schema lists what sqlite_master holds, and schema_migrations's
// versions and names.
func schema(t *testing.T, path string) (objects, versions []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(query string) []string {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	return read(`SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name`),
		read(`SELECT version || ' ' || name FROM schema_migrations ORDER BY version`)
}

// TestSQLiteUpgradesOldNumbering opens a database made by the old
// migrations: its records are renumbered, the step it lacked runs, and
// it ends with the schema of a fresh one, its data intact.
func TestSQLiteUpgradesOldNumbering(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "fresh.db")
	oldSQLite(t, old)
	at := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	db, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `
		INSERT INTO accounts (id, phone_hash, phone_sealed, created_at) VALUES (1, x'01', x'02', ?1);
		INSERT INTO persons (id, owner_id, relation, doc_type, id_hash, id_sealed, name_sealed, name_masked, id_tail,
			phone_hash, phone_sealed, region, code_id, created_at, updated_at)
			VALUES (7, 1, 'self', 'resident_id', x'07', x'00', x'00', '张*三', '002X', x'01', x'02', '330106', x'c0de', ?1, ?1);
		INSERT INTO facts (person_id, kind, at, recorded_at, source, source_ref, author, body)
			VALUES (7, 'temperature', ?1, ?1, 'gate', 'T-1', 'key:1', '{"celsius":36.6}')`, at.UnixMicro())
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{old, fresh} {
		s, err := store.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	gotObjects, gotVersions := schema(t, old)
	wantObjects, wantVersions := schema(t, fresh)
	if !reflect.DeepEqual(gotObjects, wantObjects) {
		t.Errorf("upgraded schema:\n%v\nfresh:\n%v", gotObjects, wantObjects)
	}
	if !slices.Equal(gotVersions, wantVersions) {
		t.Errorf("upgraded migrations %v, fresh %v", gotVersions, wantVersions)
	}

	s, err := store.OpenSQLite(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.PersonByCode(ctx, []byte{0xc0, 0xde})
	if err != nil || p.ID != 7 || p.NameMasked != "张*三" || !p.CreatedAt.Equal(at) {
		t.Fatalf("person after upgrade: %+v, %v", p, err)
	}
	facts, err := s.Facts(ctx, 7)
	if err != nil || len(facts) != 1 || facts[0].SourceRef != "T-1" || !facts[0].At.Equal(at) {
		t.Fatalf("facts after upgrade: %+v, %v", facts, err)
	}
	// The upgraded store works as a fresh one: a new fact is stored once.
	f := &healthcode.Fact{PersonID: 7, Kind: facts[0].Kind, At: at, RecordedAt: at, Source: "gate", SourceRef: "T-1",
		Author: "key:1", Temperature: facts[0].Temperature}
	err = s.Update(ctx, func(tx healthcode.Tx) error {
		added, err := tx.AddFacts(ctx, []*healthcode.Fact{f})
		if err == nil && len(added) != 0 {
			t.Errorf("re-sent fact added again: %+v", added)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
