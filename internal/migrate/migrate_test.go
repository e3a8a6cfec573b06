package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
		"m/README":     {Data: []byte("ignored")},
	}
	ms, err := Load(fsys, "m", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.SQL)
	}
	if want := "A,B"; strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestLoadPicksTheDialectsVariant(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0001_a.sql":          {Data: []byte("A")},
		"m/0002_b.sqlite.sql":   {Data: []byte("B-sqlite")},
		"m/0002_b.postgres.sql": {Data: []byte("B-postgres")},
	}
	for _, tt := range []struct{ dialect, want string }{
		{"sqlite", "0001_a.sql:A,0002_b.sql:B-sqlite"},
		{"postgres", "0001_a.sql:A,0002_b.sql:B-postgres"},
	} {
		ms, err := Load(fsys, "m", tt.dialect)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Name+":"+m.SQL)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%s: got %v, want %s", tt.dialect, got, tt.want)
		}
	}
}

func TestLoadRejectsBadSequences(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, "out of sequence"},
		{"duplicate", []string{"0001_a.sql", "0001_b.sql"}, "duplicate"},
		{"starts at two", []string{"0002_a.sql"}, "out of sequence"},
		{"unnumbered", []string{"init.sql"}, "must start with a positive number"},
		{"variant for one dialect only", []string{"0001_a.sqlite.sql", "0001_a.postgres.sql", "0002_b.sqlite.sql"},
			"none for postgres"},
		{"plain and variant", []string{"0001_a.sql", "0001_a.sqlite.sql", "0001_a.postgres.sql"}, "duplicate"},
		{"two variants of one dialect", []string{"0001_a.sqlite.sql", "0001_b.sqlite.sql", "0001_a.postgres.sql"},
			"duplicate"},
		{"variants of two names", []string{"0001_a.sqlite.sql", "0001_b.postgres.sql"}, "variants named"},
		{"gap in the dialect", []string{"0001_a.sqlite.sql", "0001_a.postgres.sql", "0003_c.sql"}, "out of sequence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("x")}
			}
			_, err := Load(fsys, "m", "sqlite")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}
